package dev.llmforge.examples.cli;

import dev.llmforge.training.OutputDirectoryException;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingCheckpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The flags of a training run's output directory, shared by every training command: {@code --resume},
 * {@code --overwrite} and {@code --log-interval}, with the checks that keep an earlier run from being lost.
 */
final class RunOptions {
    @Option(names = "--resume", description = "continue the run saved in <out>/ckpt (same losses as if it had never stopped)")
    boolean resume;

    @Option(names = "--overwrite", description = "start over in an output directory that holds an earlier run")
    boolean overwrite;

    @Option(names = "--log-interval", paramLabel = "N", defaultValue = "10", description = "print progress every N steps (default: ${DEFAULT-VALUE})")
    int logInterval;

    /** Rejects contradictory flags, and a new run in a directory that holds another run's checkpoint. */
    void check(Path outDir) throws IOException {
        FlagChecks.range("--log-interval", logInterval, 1, Integer.MAX_VALUE);
        if (resume && overwrite) {
            throw new IllegalArgumentException("--resume continues the run in the output directory, --overwrite replaces it: choose one");
        }
        Path latest = outDir.resolve(Trainer.LATEST_DIR);
        if (!resume && !overwrite && TrainingCheckpoint.exists(latest)) {
            throw new OutputDirectoryException(latest + " holds a checkpoint at step " + TrainingCheckpoint.readState(latest).step()
                    + " of an earlier run: continue it with --resume, start over with --overwrite, or choose another --out");
        }
    }

    /**
     * The checkpoint to resume from ({@code <out>/ckpt}, or the one an interrupted write moved aside, with a note), or
     * null without {@code --resume}.
     */
    Path resumeFrom(Path outDir, PrintWriter w) throws IOException {
        if (!resume) {
            return null;
        }
        Path latest = outDir.resolve(Trainer.LATEST_DIR);
        Path dir;
        try {
            dir = TrainingCheckpoint.resumable(latest);
        } catch (IOException e) {
            throw new IOException(e.getMessage() + ": nothing to resume (run without --resume to start)", e);
        }
        if (!dir.toAbsolutePath().equals(latest.toAbsolutePath())) {
            w.println("note: " + latest + " is missing; resuming from " + dir + ", the checkpoint an interrupted write moved aside");
        }
        return dir;
    }
}
