package dev.llmforge.examples.cli;

import dev.llmforge.distributed.Collective;
import dev.llmforge.distributed.Replica;
import dev.llmforge.distributed.ReplicaTask;
import dev.llmforge.model.GptConfig;
import dev.llmforge.spi.Backend;
import dev.llmforge.training.Pretraining;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingCheckpoint;
import dev.llmforge.training.TrainingConfig;
import dev.llmforge.training.TrainingResult;
import dev.llmforge.training.data.TokenData;
import dev.llmforge.training.metrics.ConsoleProgress;
import dev.llmforge.training.metrics.TrainingListener;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * A pretraining run as values that can travel to Spark executors (paths as strings): it builds the same
 * trainer on one machine ({@link #build}) and on every replica of a data-parallel run ({@link #run}).
 *
 * @param resumeFrom the checkpoint to continue, or null for a fresh run of {@code model}
 */
record PretrainJob(String backendName, int threads, String data, String out, GptConfig model, TrainingConfig training, String resumeFrom,
                   boolean overwrite, int logInterval) implements ReplicaTask<TrainingResult> {

    /** The trainer of this run on {@code backend}; with a collective, as one replica of it. */
    Trainer build(Backend backend, String resume, Collective collective, TrainingListener progress) throws IOException {
        Pretraining.Builder b = Pretraining.builder().backend(backend).data(TokenData.open(Path.of(data))).config(training)
                .outputDir(Path.of(out)).overwrite(overwrite).collective(collective);
        if (progress != null) {
            b.listener(progress);
        }
        if (resume != null) {
            b.resumeFrom(Path.of(resume));
        } else {
            b.model(model);
        }
        return b.build();
    }

    /**
     * One replica: rank 0 prints the progress (the global losses) and writes the outputs. When Spark
     * retries the stage after a failure, every replica resumes from rank 0's latest checkpoint.
     */
    @Override
    public TrainingResult run(Replica replica) throws IOException {
        Path latest = Path.of(out).resolve(Trainer.LATEST_DIR);
        String resume = replica.attempt() > 0 && TrainingCheckpoint.exists(latest) ? latest.toString() : resumeFrom;
        PrintWriter console = new PrintWriter(System.out, true);
        TrainingListener progress = replica.rank() == 0 ? new ConsoleProgress(console, logInterval) : null;
        try (Trainer trainer = build(BackendChoice.resolve(backendName, threads), resume, replica.collective(), progress)) {
            if (replica.rank() == 0 && replica.attempt() > 0) {
                console.println("attempt " + (replica.attempt() + 1) + " of the Spark stage: " + (resume == null ? "starting again"
                        : "resuming from " + resume + " at step " + trainer.step()));
            }
            return trainer.run();
        }
    }
}
