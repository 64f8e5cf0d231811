package dev.llmforge.alignment.sft;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmforge.io.Checkpoint;
import dev.llmforge.io.ConfigJson;
import dev.llmforge.io.Llama2c;
import dev.llmforge.model.Gpt;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tokenizer.BpeTokenizer;
import dev.llmforge.tokenizer.SentencePieceTokenizer;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.tokenizer.TokenizerFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The model fine-tuning starts from, with its tokenizer: an llmforge checkpoint directory ({@code config.json},
 * {@code model.safetensors}, {@code tokenizer.json}: what {@code llmforge pretrain} writes to {@code best/} and
 * {@code ckpt/}) or a Hugging Face GPT-2 directory ({@code config.json} with {@code "model_type": "gpt2"},
 * {@code model.safetensors}, and {@code tokenizer.json} or GPT-2's {@code vocab.json} + {@code merges.txt}), or a
 * llama2.c checkpoint file ({@code model.bin}, run.c's format) with its tokenizer file ({@code tokenizer.bin}), read as
 * a {@link SentencePieceTokenizer} that the fine-tuned checkpoint then carries as its {@code tokenizer.json}.
 *
 * @param model       the model (the caller owns it)
 * @param tokenizer   its tokenizer
 * @param description e.g. {@code "llmforge checkpoint out/base/best (char tokenizer, 87 tokens)"}
 */
public record StartingPoint(Gpt model, Tokenizer tokenizer, String description) implements AutoCloseable {
    /**
     * Loads the model and tokenizer of the checkpoint directory {@code from}.
     *
     * @throws IOException naming the path and what was expected there
     */
    public static StartingPoint load(Path from, Backend backend) throws IOException {
        return load(from, null, backend);
    }

    /**
     * Loads the model and tokenizer at {@code from}: a checkpoint directory (then {@code tokenizerFile} must be null), or a
     * llama2.c checkpoint file with its tokenizer file.
     *
     * @throws IOException naming the path and what was expected there
     */
    public static StartingPoint load(Path from, Path tokenizerFile, Backend backend) throws IOException {
        if (Files.isRegularFile(from)) {
            return llama2c(from, tokenizerFile, backend);
        }
        if (tokenizerFile != null) {
            throw new IOException("a tokenizer file (" + tokenizerFile + ") goes with a llama2.c checkpoint file; " + from
                    + " is a checkpoint directory, which holds its tokenizer");
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

    private static StartingPoint llama2c(Path file, Path tokenizerFile, Backend backend) throws IOException {
        if (tokenizerFile == null) {
            throw new IOException(file + " is a file, read as a llama2.c checkpoint, which needs its tokenizer file (llama2.c's "
                    + "tokenizer.bin, or the one the model was trained with): pass it with --tokenizer");
        }
        Gpt model = Llama2c.load(file, Tensor.on(backend));
        try {
            SentencePieceTokenizer tokenizer = SentencePieceTokenizer.fromLlama2c(tokenizerFile, model.config().vocabSize());
            return new StartingPoint(model, tokenizer, "llama2.c checkpoint " + file + " with " + tokenizerFile + " ("
                    + TokenizerFiles.describe(tokenizer) + ")");
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
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
