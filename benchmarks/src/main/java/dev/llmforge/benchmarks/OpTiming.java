package dev.llmforge.benchmarks;

import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntToDoubleFunction;
import java.util.function.Supplier;

/**
 * The timing the per-op dispatch benchmarks share: one op through llmforge (results freed by a
 * scope every {@value #BATCH} ops) and through the engine's own API (results closed alike), the two
 * paths alternating batch by batch so that machine noise hits both alike.
 */
public final class OpTiming {
    /** Ops between two frees. */
    public static final int BATCH = 100;
    /** Length of one measuring round of the raw path. */
    public static final double ROUND_MILLIS = 40;

    private OpTiming() {
    }

    /** One op measured both ways: each path maps an op count to µs per op. */
    public record Case(String name, IntToDoubleFunction llmforge, IntToDoubleFunction raw) {
    }

    /** The medians, µs per op, of both paths over all batches. */
    public record Medians(double llmforge, double raw) {
    }

    /** Runs every path 20 batches, so the JIT has compiled both before any measurement. */
    public static void warmUp(List<Case> cases) {
        for (Case c : cases) {
            for (int i = 0; i < 20; i++) {
                c.llmforge().applyAsDouble(BATCH);
                c.raw().applyAsDouble(BATCH);
            }
        }
    }

    /** One warm-up round, then {@code rounds} rounds of about 40 ms of raw batches, alternating the paths batch by batch. */
    public static Medians measure(Case c, int rounds) {
        c.raw().applyAsDouble(BATCH);
        int batches = Math.max(1, (int) (ROUND_MILLIS * 1e3 / Math.max(c.raw().applyAsDouble(BATCH), 0.1) / BATCH));
        double[] ours = new double[batches * rounds];
        double[] raw = new double[batches * rounds];
        for (int r = -1; r < rounds; r++) {
            for (int i = 0; i < batches; i++) {
                double o = c.llmforge().applyAsDouble(BATCH);
                double d = c.raw().applyAsDouble(BATCH);
                if (r >= 0) {
                    ours[r * batches + i] = o;
                    raw[r * batches + i] = d;
                }
            }
        }
        return new Medians(median(ours), median(raw));
    }

    /** µs per op of {@code ops} calls; every {@value #BATCH} results are freed by closing their scope. */
    public static double llmforgeMicros(int ops, Supplier<Tensor> op) {
        long start = System.nanoTime();
        for (int done = 0; done < ops; done += BATCH) {
            try (TensorScope ignored = TensorScope.open()) {
                for (int i = 0; i < BATCH; i++) {
                    op.get();
                }
            }
        }
        return (System.nanoTime() - start) / 1e3 / ops;
    }

    /** µs per op of {@code ops} calls of a raw engine op; every {@value #BATCH} results are closed at once, as a scope would. */
    public static <T> double rawMicros(int ops, Supplier<T> op, Consumer<T> close) {
        @SuppressWarnings("unchecked")
        T[] results = (T[]) new Object[BATCH];
        long start = System.nanoTime();
        for (int done = 0; done < ops; done += BATCH) {
            for (int i = 0; i < BATCH; i++) {
                results[i] = op.get();
            }
            for (T r : results) {
                close.accept(r);
            }
        }
        return (System.nanoTime() - start) / 1e3 / ops;
    }

    /** The median (the upper one for an even count). */
    public static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
