package dev.llmforge.alignment.sft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.io.Checkpoint;
import dev.llmforge.io.HfGpt2;
import dev.llmforge.io.SafeTensorsWriter;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import dev.llmforge.tokenizer.CharTokenizer;
import dev.llmforge.tokenizer.TokenizerFiles;
import dev.llmforge.tokenizer.chat.ChatTemplate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where fine-tuning starts: llmforge checkpoints and Hugging Face GPT-2 directories; a llama2.c file needs its tokenizer file
 * (the stories260K run from a llama2.c file is {@code SftCliTest}'s).
 */
class StartingPointTest {
    static final Backend REFERENCE = Backends.get("reference");
    static final CharTokenizer TOKENIZER = CharTokenizer.fromCorpus("abcdefghij");

    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("try")
    void aHuggingFaceGpt2DirectoryLoadsAndGrowsForChatMl() throws IOException {
        Path hf = Files.createDirectories(dir.resolve("hf"));
        try (Gpt model = new Gpt(GptConfig.gpt2(10, 8, 1, 2, 8), REFERENCE, 4); TensorScope ignored = TensorScope.open()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            model.namedParameters().forEach((name, p) -> tensors.put(name, HfGpt2.isConv1dWeight(name) ? p.transpose(0, 1) : p));
            SafeTensorsWriter.write(hf.resolve(Checkpoint.WEIGHTS), tensors, Map.of("format", "pt"));
            Files.writeString(hf.resolve(Checkpoint.CONFIG), "{\"model_type\":\"gpt2\",\"vocab_size\":10,\"n_positions\":8,"
                    + "\"n_embd\":8,\"n_layer\":1,\"n_head\":2,\"activation_function\":\"gelu_new\",\"layer_norm_epsilon\":1e-5}");
            TokenizerFiles.save(TOKENIZER, hf.resolve(Checkpoint.TOKENIZER));
            try (StartingPoint start = StartingPoint.load(hf, REFERENCE)) {
                assertTrue(start.description().startsWith("Hugging Face GPT-2 directory"), start.description());
                Tensor x = Tensor.on(REFERENCE).of(new long[] {1, 2, 3}, 1, 3);
                assertArrayEquals(model.logits(x).toFloatArray(), start.model().logits(x).toFloatArray(), 0f);
                ChatVocabulary chat = ChatVocabulary.prepare(ChatTemplate.chatMl(), start.tokenizer(), start.model());
                try (Gpt grown = chat.model()) {
                    assertEquals(List.of("<|im_start|>", "<|im_end|>"), chat.added());
                    assertEquals(12, grown.config().vocabSize());
                    assertEquals(11, chat.tokenizer().specialTokens().requireId("<|im_end|>"));
                    assertEquals("added the special tokens <|im_start|>, <|im_end|> (ids 10-11); the model grew from 10 to 12 tokens "
                            + "(new rows: the mean of the old)", chat.describe(10));
                }
            }
        }
    }

    @Test
    void anLlmforgeCheckpointLoadsWithItsTokenizer() throws IOException {
        Path ckpt = dir.resolve("ckpt");
        try (Gpt model = new Gpt(GptConfig.gpt2(10, 8, 1, 2, 8), REFERENCE, 4)) {
            Checkpoint.save(ckpt, model);
        }
        TokenizerFiles.save(TOKENIZER, ckpt.resolve(Checkpoint.TOKENIZER));
        try (StartingPoint start = StartingPoint.load(ckpt, REFERENCE)) {
            assertEquals("llmforge checkpoint " + ckpt + " (char tokenizer, 10 tokens)", start.description());
        }
        Files.delete(ckpt.resolve(Checkpoint.TOKENIZER));
        IOException e = assertThrows(IOException.class, () -> StartingPoint.load(ckpt, REFERENCE));
        assertEquals(ckpt + " has no tokenizer: expected tokenizer.json, or GPT-2's vocab.json and merges.txt", e.getMessage());
    }

    @Test
    void aLlama2cFileNeedsItsTokenizerFileAndADirectoryNone() throws IOException {
        Path bin = Files.write(dir.resolve("stories260K.bin"), new byte[] {1, 2, 3});
        IOException e = assertThrows(IOException.class, () -> StartingPoint.load(bin, REFERENCE));
        assertTrue(e.getMessage().contains("read as a llama2.c checkpoint, which needs its tokenizer file"), e.getMessage());
        Path ckpt = Files.createDirectories(dir.resolve("ckpt"));
        e = assertThrows(IOException.class, () -> StartingPoint.load(ckpt, bin, REFERENCE));
        assertTrue(e.getMessage().contains("goes with a llama2.c checkpoint file"), e.getMessage());
    }
}
