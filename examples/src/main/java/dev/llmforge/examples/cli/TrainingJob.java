package dev.llmforge.examples.cli;

import dev.llmforge.distributed.Collective;
import dev.llmforge.distributed.Replica;
import dev.llmforge.distributed.ReplicaTask;
import dev.llmforge.spi.Backend;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingCheckpoint;
import dev.llmforge.training.TrainingResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * A training run as values that can travel to Spark executors (paths as strings): it builds the same
 * trainer on one machine ({@link #build}) and on every replica of a data-parallel run ({@link #run}).
 * {@link PretrainJob} and {@link SftJob} are the runs of {@code llmforge pretrain} and {@code llmforge sft}.
 */
interface TrainingJob extends ReplicaTask<TrainingResult> {
    String backendName();

    int threads();

    /** The output directory, on storage every replica can read. */
    String out();

    /** The checkpoint the run continues, or null for a fresh run. */
    String resumeFrom();

    /**
     * The trainer of this run on {@code backend}, continuing {@code resume} (or fresh if null); with a
     * collective, as one replica of it.
     *
     * @param console where the progress and the data report go, or null for none
     */
    Trainer build(Backend backend, String resume, Collective collective, PrintWriter console) throws IOException;

    /**
     * One replica: rank 0 prints the progress (the global losses) and writes the outputs. When Spark
     * retries the stage after a failure, every replica resumes from rank 0's latest checkpoint.
     */
    @Override
    default TrainingResult run(Replica replica) throws IOException {
        Path latest = Path.of(out()).resolve(Trainer.LATEST_DIR);
        String resume = replica.attempt() > 0 && TrainingCheckpoint.exists(latest) ? latest.toString() : resumeFrom();
        PrintWriter console = replica.rank() == 0 ? new PrintWriter(System.out, true) : null;
        try (Trainer trainer = build(BackendChoice.resolve(backendName(), threads()), resume, replica.collective(), console)) {
            if (console != null && replica.attempt() > 0) {
                console.println("attempt " + (replica.attempt() + 1) + " of the Spark stage: " + (resume == null ? "starting again"
                        : "resuming from " + resume + " at step " + trainer.step()));
            }
            return trainer.run();
        }
    }
}
