package dev.llmforge.examples.cli;

import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingCheckpoint;
import dev.llmforge.training.TrainingResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** What every training command does around {@link Trainer#run()}: stop cleanly on Ctrl-C, then summarise the run. */
final class TrainingRuns {
    private TrainingRuns() {
    }

    /** Runs the trainer; Ctrl-C requests a stop (and a checkpoint), waiting up to a minute for it to be written. */
    static TrainingResult runStoppingOnInterrupt(Trainer trainer, PrintWriter w) {
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            trainer.requestStop();
            w.println();
            w.println("interrupted: writing a checkpoint of the current step (continue later with --resume)");
            w.flush();
            try {
                finished.await(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "llmforge-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return trainer.run();
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it returns now that the run has ended
            }
        }
    }

    /** Steps, speed, the last evaluation, the best checkpoint and where the files are. */
    static void summarize(TrainingResult r, Path outDir, PrintWriter w) {
        w.printf(Locale.ROOT, "%s at step %d: %d steps in %s (%.1f ms/step, %,.0f tokens/s)%n", r.stoppedEarly() ? "stopped" : "done",
                r.lastStep(), r.lastStep() - r.firstStep(), duration(r.wallSeconds()), r.millisPerStep(), r.tokensPerSecond());
        if (r.lastEval() != null) {
            StringBuilder eval = new StringBuilder();
            r.lastEval().values().forEach((name, value) -> eval.append(eval.length() == 0 ? "" : ", ")
                    .append(String.format(Locale.ROOT, "%s %.4f", name, value)));
            w.printf(Locale.ROOT, "evaluation at step %d: %s%s%n", r.lastEval().step(), eval,
                    Double.isFinite(r.bestValue()) ? String.format(Locale.ROOT, "; best %s %.4f", r.bestMetric(), r.bestValue()) : "");
        }
        if (r.skippedSteps() > 0) {
            w.println(r.skippedSteps() + " steps skipped (non-finite loss)");
        }
        w.println("peak RSS " + PeakMemory.describe());
        Path best = outDir.resolve(Trainer.BEST_DIR);
        boolean hasBest = TrainingCheckpoint.exists(best);
        w.println("checkpoints: " + outDir.resolve(Trainer.LATEST_DIR) + " (latest, to --resume)"
                + (hasBest ? ", " + best + " (best " + r.bestMetric() + ")" : ""));
        w.println("metrics: " + outDir.resolve(Trainer.METRICS_FILE) + ", chart: " + outDir.resolve(Trainer.CHART_FILE));
        w.println("sample from it: llmforge generate --checkpoint " + (hasBest ? best : outDir.resolve(Trainer.LATEST_DIR)));
        w.flush();
    }

    /** {@code key=value} pairs on one line, in the map's order. */
    static String describe(Map<String, Object> values) {
        StringBuilder s = new StringBuilder();
        values.forEach((k, v) -> s.append(s.length() == 0 ? "" : " ").append(k).append('=').append(v));
        return s.toString();
    }

    /** {@code 1m45s}, or {@code 12.3s} under a minute. */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : String.format(Locale.ROOT, "%.1fs", seconds);
    }
}
