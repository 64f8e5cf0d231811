package dev.llmforge.training.metrics;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Prints step, loss and the objective's other metrics, the learning rate, throughput and time left
 * every {@code every} steps (and the last), each evaluation and each checkpoint. The time left
 * follows the pace of the steps so far in this run.
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
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "step %d/%d", m.step(), m.totalSteps()));
        m.metrics().forEach((name, v) -> line.append(" | ").append(name).append(' ').append(number(v)));
        line.append(String.format(Locale.ROOT, " | lr %.2e | %,.0f tok/s | %.1f ms/step | ETA %s", m.learningRate(), m.tokensPerSecond(),
                m.millisPerStep(), duration(remaining)));
        println(line.toString());
    }

    @Override
    public void onEval(EvalMetrics m) {
        StringBuilder line = new StringBuilder("eval at step " + m.step() + ":");
        String separator = " ";
        for (Map.Entry<String, Double> e : m.values().entrySet()) {
            line.append(separator).append(e.getKey().replace('_', ' ')).append(' ').append(number(e.getValue()));
            separator = ", ";
        }
        println(line.toString());
    }

    /** Four decimals, or three significant digits in scientific notation for small values (a KL of 2e-5). */
    static String number(double v) {
        return v != 0 && Math.abs(v) < 1e-3 ? String.format(Locale.ROOT, "%.3e", v) : String.format(Locale.ROOT, "%.4f", v);
    }

    @Override
    public void onCheckpoint(long step, Path directory, boolean best) {
        println("checkpoint at step " + step + (best ? " (best)" : "") + " -> " + directory);
    }

    static String duration(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
        }
        return s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
