package dev.llmforge.training;

import dev.llmforge.io.Checkpoint;
import dev.llmforge.model.Gpt;
import dev.llmforge.optim.Optimizer;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.tokenizer.TokenizerFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A training checkpoint: core's model directory ({@code model.safetensors}, {@code config.json},
 * {@code tokenizer.json}, {@code optimizer.safetensors}) plus {@code trainer.json} (a
 * {@link TrainingState}), written in one atomic directory swap by {@link Checkpoint.Writer}.
 */
public final class TrainingCheckpoint {
    public static final String STATE_FILE = "trainer.json";

    private TrainingCheckpoint() {
    }

    /**
     * Writes every part to {@code dir} at once: the directory is built under a temporary name and
     * swapped in, so a failure at any point leaves the previous checkpoint as it was.
     *
     * @param optimizer     null to leave out the optimiser state (a checkpoint for inference only)
     * @param tokenizerJson null to leave out the tokenizer
     */
    public static void write(Path dir, Gpt model, Optimizer optimizer, String tokenizerJson, TrainingState state) throws IOException {
        Checkpoint.Writer writer = Checkpoint.writer(dir).model(model).file(STATE_FILE, state.toJson());
        if (optimizer != null) {
            writer.optimizer(optimizer);
        }
        if (tokenizerJson != null) {
            writer.tokenizerJson(tokenizerJson);
        }
        writer.write();
    }

    /** True if {@code dir} holds a training checkpoint. */
    public static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(STATE_FILE));
    }

    /** The training state saved in {@code dir}. */
    public static TrainingState readState(Path dir) throws IOException {
        Path file = dir.resolve(STATE_FILE);
        if (!Files.isRegularFile(file)) {
            throw new IOException(dir + " is not a training checkpoint: it has no " + STATE_FILE);
        }
        return TrainingState.fromJson(Files.readAllBytes(file), file.toString());
    }

    /** The tokenizer saved with the checkpoint, if any. */
    public static Tokenizer tokenizer(Path dir) throws IOException {
        Path file = dir.resolve(Checkpoint.TOKENIZER);
        if (!Files.isRegularFile(file)) {
            throw new IOException(dir + " has no " + Checkpoint.TOKENIZER + ": cannot turn its token ids into text");
        }
        return TokenizerFiles.load(file);
    }

    /**
     * The checkpoint to resume from at {@code dir}: {@code dir} itself, or, if a crash happened in the
     * instant between moving the old directory aside and moving the new one in, the previous
     * checkpoint left under its {@code .NAME.old-*} name (the newest one).
     *
     * @throws IOException if there is neither
     */
    public static Path resumable(Path dir) throws IOException {
        if (exists(dir)) {
            return dir;
        }
        Path parent = dir.toAbsolutePath().getParent();
        String prefix = "." + dir.getFileName() + ".old-";
        if (parent != null && Files.isDirectory(parent)) {
            try (Stream<Path> siblings = Files.list(parent)) {
                List<Path> old = siblings.filter(p -> p.getFileName().toString().startsWith(prefix) && exists(p))
                        .sorted((a, b) -> Long.compare(lastModified(b), lastModified(a))).toList();
                if (!old.isEmpty()) {
                    return old.get(0);
                }
            }
        }
        throw new IOException("no training checkpoint at " + dir + " (expected " + STATE_FILE + " there)");
    }

    private static long lastModified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
