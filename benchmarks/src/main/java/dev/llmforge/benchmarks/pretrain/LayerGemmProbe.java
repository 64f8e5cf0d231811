package dev.llmforge.benchmarks.pretrain;

import dev.llmforge.autograd.GradMode;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The matrix products of one training step of the reference model, each timed in isolation through
 * core on the step's backend: every linear layer's forward product {@code x · Wᵀ} and the two of its
 * backward ({@code dy · W} for the input, {@code dyᵀ · x} for the weight), with the operand layouts
 * and transpose flags that {@code Linear} and its autograd rule use. What a step's products would
 * cost if nothing else ran: the ceiling for the step's matrix-product throughput at this shape, to
 * hold against the square-GEMM peak ({@link GemmProbe}) and the products' time inside the step.
 */
final class LayerGemmProbe {
    private static final long MIN_NANOS_PER_SHAPE = 300_000_000L;

    /** The step's products timed in isolation: their FLOPs and the mean time they take, per step, and per layer shape. */
    record Result(double gflopPerStep, double millisPerStep, List<LinearTiming> shapes) {
        double gflops() {
            return gflopPerStep / (millisPerStep / 1e3);
        }
    }

    /** One linear layer's three products over {@code rows} inputs, mean nanoseconds each; {@code count} such layers per step. */
    record LinearTiming(int rows, int in, int out, int count, double forwardNanos, double inputGradNanos, double weightGradNanos) {
        double nanos() {
            return forwardNanos + inputGradNanos + weightGradNanos;
        }

        /** GFLOP/s of one of the three products (each is 2 · rows · in · out FLOPs). */
        double gflops(double productNanos) {
            return 2.0 * rows * in * out / productNanos;
        }
    }

    private LayerGemmProbe() {
    }

    static Result measure(Backend backend, ReferenceConfig cfg, int vocab) {
        int rows = cfg.batch() * cfg.block();
        int c = cfg.width();
        List<LinearTiming> shapes = new ArrayList<>();
        for (int[] shape : new int[][] {{c, 3 * c}, {c, c}, {c, 4 * c}, {4 * c, c}}) { // (in, out): qkv, attention projection, MLP up, down
            shapes.add(linear(backend, rows, shape[0], shape[1], cfg.layers()));
        }
        shapes.add(linear(backend, rows, c, vocab, 1)); // the tied head
        double flops = shapes.stream().mapToDouble(t -> t.count() * 3 * 2.0 * rows * t.in() * t.out()).sum();
        double nanos = shapes.stream().mapToDouble(t -> t.count() * t.nanos()).sum();
        return new Result(flops / 1e9, nanos / 1e6, shapes);
    }

    /** Forward and backward products of one linear layer over {@code rows} inputs. */
    private static LinearTiming linear(Backend backend, int rows, int in, int out, int count) {
        try (GradMode.Restore noGrad = GradMode.noGrad(); TensorScope ignored = TensorScope.open()) {
            Tensor x = Tensor.on(backend).randn(Shape.of(rows, in), DType.F32, 1);   // (N, in)
            Tensor w = Tensor.on(backend).randn(Shape.of(out, in), DType.F32, 2);    // (out, in)
            Tensor dy = Tensor.on(backend).randn(Shape.of(rows, out), DType.F32, 3); // (N, out)
            return new LinearTiming(rows, in, out, count,
                    meanNanos(() -> x.matmul(w, false, true)),   // (N, out)
                    meanNanos(() -> dy.matmul(w, false, false)), // (N, in)
                    meanNanos(() -> dy.matmul(x, true, false))); // (out, in)
        }
    }

    private static double meanNanos(Supplier<Tensor> product) {
        for (int i = 0; i < 3; i++) {
            timedOnce(product);
        }
        long total = 0;
        int reps = 0;
        while (total < MIN_NANOS_PER_SHAPE || reps < 5) {
            total += timedOnce(product);
            reps++;
        }
        return (double) total / reps;
    }

    private static long timedOnce(Supplier<Tensor> product) {
        try (TensorScope ignored = TensorScope.open()) {
            long t0 = System.nanoTime();
            product.get(); // eager CPU kernels return when the product is computed
            return System.nanoTime() - t0;
        }
    }
}
