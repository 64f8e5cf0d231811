package dev.llmforge.alignment.sft;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmforge.io.Checkpoint;
import dev.llmforge.io.ConfigJson;
import dev.llmforge.model.Gpt;
import dev.llmforge.spi.Backend;
import dev.llmforge.tokenizer.BpeTokenizer;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.tokenizer.TokenizerFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The model fine-tuning starts from, with its tokenizer: an llmforge checkpoint directory ({@code config.json},
 * {@code model.safetensors}, {@code tokenizer.json}: what {@code llmforge pretrain} writes to {@code best/} and
 * {@code ckpt/}) or a Hugging Face GPT-2 directory ({@code config.json} with {@code "model_type": "gpt2"},
 * {@code model.safetensors}, and {@code tokenizer.json} or GPT-2's {@code vocab.json} + {@code merges.txt}). A
 * llama2c checkpoint ({@code .bin}) is refused: its SentencePiece vocabulary is not one of the tokenizers a
 * checkpoint can carry.
 *
 * @param model       the model (the caller owns it)
 * @param tokenizer   its tokenizer
 * @param description e.g. {@code "llmforge checkpoint out/base/best (char tokenizer, 87 tokens)"}
 */
public record StartingPoint(Gpt model, Tokenizer tokenizer, String description) implements AutoCloseable {
    /**
     * Loads the model and tokenizer at {@code from}.
     *
     * @throws IOException naming the path and what was expected there
     */
    public static StartingPoint load(Path from, Backend backend) throws IOException {
        if (Files.isRegularFile(from)) {
            throw new IOException(from + " is a file: expected a checkpoint directory (llmforge's, or a Hugging Face GPT-2 directory). "
                    + "llama2c checkpoints cannot be fine-tuned: their SentencePiece vocabulary is not a tokenizer llmforge can save with "
                    + "the fine-tuned model");
        }
        if (!Files.isDirectory(from)) {
            throw new IOException("no checkpoint at " + from + ": expected a directory with " + Checkpoint.CONFIG + " and " + Checkpoint.WEIGHTS);
        }
        Tokenizer tokenizer = tokenizer(from);
        Gpt model = Checkpoint.loadModel(from, backend);
        boolean llmforge = ConfigJson.FORMAT.equals(new ObjectMapper().readTree(from.resolve(Checkpoint.CONFIG).toFile()).path("format").asText());
        String kind = llmforge ? "llmforge checkpoint" : "Hugging Face GPT-2 directory";
        return new StartingPoint(model, tokenizer, kind + " " + from + " (" + TokenizerFiles.describe(tokenizer) + ")");
    }

    private static Tokenizer tokenizer(Path dir) throws IOException {
        Path json = dir.resolve(Checkpoint.TOKENIZER);
        if (Files.isRegularFile(json)) {
            return TokenizerFiles.load(json);
        }
        Path vocab = dir.resolve("vocab.json");
        Path merges = dir.resolve("merges.txt");
        if (Files.isRegularFile(vocab) && Files.isRegularFile(merges)) {
            return BpeTokenizer.fromGpt2Files(vocab, merges);
        }
        throw new IOException(dir + " has no tokenizer: expected " + Checkpoint.TOKENIZER + ", or GPT-2's vocab.json and merges.txt");
    }

    @Override
    public void close() {
        model.close();
    }
}
