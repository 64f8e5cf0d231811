package dev.llmforge.training.metrics;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Prints step, loss, throughput and time left every {@code every} steps (and the last), each
 * evaluation and each checkpoint. The time left follows the pace of the steps so far in this run.
 */
public final class ConsoleProgress implements TrainingListener {
    private final PrintWriter out;
    private final int every;
    private long firstStep = -1;
    private double firstElapsed;

    /** Prints to {@code out} every {@code every} steps. */
    public ConsoleProgress(PrintStream out, int every) {
        this(new PrintWriter(out, true), every);
    }

    /** Prints to {@code out} (flushed after each line) every {@code every} steps. */
    public ConsoleProgress(PrintWriter out, int every) {
        if (every <= 0) {
            throw new IllegalArgumentException("print interval must be positive, got " + every);
        }
        this.out = out;
        this.every = every;
    }

    private void println(String line) {
        out.println(line);
        out.flush();
    }

    @Override
    public void onStep(StepMetrics m) {
        if (firstStep < 0) {
            firstStep = m.step();
            firstElapsed = m.elapsedSeconds();
        }
        if (m.step() % every != 0 && m.step() != m.totalSteps()) {
            return;
        }
        // the pace since the first step of this run (evaluations and checkpoints included; the first step's warm-up excluded)
        double secondsPerStep = m.step() > firstStep ? (m.elapsedSeconds() - firstElapsed) / (m.step() - firstStep) : m.millisPerStep() / 1000;
        double remaining = (m.totalSteps() - m.step()) * secondsPerStep;
        println(String.format(Locale.ROOT, "step %d/%d | loss %.4f | lr %.2e | %,.0f tok/s | %.1f ms/step | ETA %s",
                m.step(), m.totalSteps(), m.loss(), m.learningRate(), m.tokensPerSecond(), m.millisPerStep(), duration(remaining)));
    }

    @Override
    public void onEval(EvalMetrics m) {
        println(String.format(Locale.ROOT, "eval at step %d: train loss %.4f, val loss %.4f", m.step(), m.trainLoss(), m.valLoss()));
    }

    @Override
    public void onCheckpoint(long step, Path directory, boolean best) {
        println("checkpoint at step " + step + (best ? " (best val loss)" : "") + " -> " + directory);
    }

    static String duration(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
        }
        return s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
