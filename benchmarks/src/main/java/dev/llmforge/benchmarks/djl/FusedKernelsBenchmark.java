package dev.llmforge.benchmarks.djl;

import dev.llmforge.benchmarks.OpTiming;
import dev.llmforge.spi.Backend;
import dev.llmforge.spi.FusedKernels;
import dev.llmforge.spi.Kernels;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Device;
import dev.llmforge.tensor.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The DJL backend's fused kernels against core's default compositions of the same backend's
 * primitives, forward plus backward, on the shapes of a small GPT (B 8, T 64, C 128, 4 heads,
 * vocabulary 65) and of one generated token with a KV cache. Alternates the two implementations
 * call by call and prints the median µs of each.
 *
 * <pre>
 * java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" dev.llmforge.benchmarks.djl.FusedKernelsBenchmark [calls]
 * </pre>
 */
public final class FusedKernelsBenchmark {
    private FusedKernelsBenchmark() {
    }

    public static void main(String[] args) {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 400;
        Backend backend = Backends.get("djl");
        Kernels k = backend.kernels();
        FusedKernels fused = backend.fused();
        FusedKernels composed = new FusedKernels(k);
        List<NativeTensor> inputs = new ArrayList<>();
        Function<int[], NativeTensor> randn = dims -> {
            NativeTensor t = k.randomNormal(Shape.of(dims), DType.F32, Device.cpu(), inputs.size());
            inputs.add(t);
            return t;
        };
        NativeTensor x = randn.apply(new int[] {512, 128});
        NativeTensor h = randn.apply(new int[] {512, 512});
        NativeTensor w = randn.apply(new int[] {128});
        NativeTensor b = randn.apply(new int[] {128});
        NativeTensor q = randn.apply(new int[] {8, 4, 64, 32});
        NativeTensor kk = randn.apply(new int[] {8, 4, 64, 32});
        NativeTensor v = randn.apply(new int[] {8, 4, 64, 32});
        NativeTensor q1 = randn.apply(new int[] {1, 4, 1, 32});
        NativeTensor k1 = randn.apply(new int[] {1, 4, 64, 32});
        NativeTensor v1 = randn.apply(new int[] {1, 4, 64, 32});
        NativeTensor logits = randn.apply(new int[] {512, 65});
        NativeTensor scores = randn.apply(new int[] {8, 4, 64, 64});
        long[] t = new long[512];
        for (int i = 0; i < t.length; i++) {
            t[i] = (i * 7) % 65;
        }
        java.nio.ByteBuffer tb = java.nio.ByteBuffer.allocate(8 * 512).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        tb.asLongBuffer().put(t);
        NativeTensor targets = k.fromBuffer(tb, Shape.of(512), DType.I64, Device.cpu());
        inputs.add(targets);
        NativeTensor p = randn.apply(new int[] {128, 512});
        NativeTensor g = randn.apply(new int[] {128, 512});

        List<Case> cases = List.of(
            new Case("layerNorm (512,128) fwd+bwd", f -> {
                FusedKernels.Result r = f.layerNorm(x, w, b, 1e-5, true);
                closeAll(f.layerNormBackward(x, w, b, 1e-5, r, r.output()));
                close(r);
            }),
            new Case("gelu tanh (512,512) fwd+bwd", f -> {
                FusedKernels.Result r = f.gelu(h, true, true);
                f.geluBackward(h, true, r, r.output()).close();
                close(r);
            }),
            new Case("gelu exact (512,512) fwd+bwd", f -> {
                FusedKernels.Result r = f.gelu(h, false, true);
                f.geluBackward(h, false, r, r.output()).close();
                close(r);
            }),
            new Case("softmax (8,4,64,64) fwd+bwd", f -> {
                FusedKernels.Result r = f.softmax(scores, true);
                f.softmaxBackward(r, r.output()).close();
                close(r);
            }),
            new Case("cross-entropy (512,65) fwd+bwd", f -> {
                FusedKernels.Result r = f.softmaxCrossEntropy(logits, targets, -100, true);
                f.softmaxCrossEntropyBackward(logits, targets, -100, r, r.output()).close();
                close(r);
            }),
            new Case("attention (8,4,64,32) fwd+bwd", f -> {
                FusedKernels.Result r = f.causalAttention(q, kk, v, 0.17, true);
                closeAll(f.causalAttentionBackward(q, kk, v, 0.17, r, r.output()));
                close(r);
            }),
            new Case("attention 1 query, 64 keys fwd", f -> close(f.causalAttention(q1, k1, v1, 0.17, false))),
            new Case("adamW (128,512)", f -> {
                // private copies, so the in-place kernel never touches the shared inputs
                NativeTensor p1 = k.add(p, g);
                NativeTensor m1 = k.mul(g, g);
                NativeTensor v2 = k.mul(g, g);
                NativeTensor[] out = f.adamWUpdate(p1, g, m1, v2, new FusedKernels.AdamWStep(1e-3, 0.9, 0.999, 1e-8, 0.1, 5));
                for (NativeTensor o : out) {
                    o.close();
                }
                for (NativeTensor in : new NativeTensor[] {p1, m1, v2}) {
                    if (!Arrays.asList(out).contains(in)) {
                        in.close();
                    }
                }
            }));

        System.out.printf(Locale.ROOT, "DJL fused kernels vs core's compositions of DJL primitives (%d PyTorch threads, median of %d calls)%n",
                ((dev.llmforge.backend.djl.DjlBackend) backend).threads(), calls);
        System.out.printf(Locale.ROOT, "%-34s %12s %12s %8s%n", "pair", "fused", "composed", "speed-up");
        long live = backend.liveTensorCount();
        for (Case c : cases) {
            double[] a = new double[calls];
            double[] d = new double[calls];
            for (int i = -calls / 4; i < calls; i++) {
                long s0 = System.nanoTime();
                c.body.apply(fused);
                long s1 = System.nanoTime();
                c.body.apply(composed);
                long s2 = System.nanoTime();
                if (i >= 0) {
                    a[i] = (s1 - s0) / 1e3;
                    d[i] = (s2 - s1) / 1e3;
                }
            }
            double ma = OpTiming.median(a);
            double md = OpTiming.median(d);
            System.out.printf(Locale.ROOT, "%-34s %9.1f us %9.1f us %7.2fx%n", c.name, ma, md, md / ma);
        }
        if (backend.liveTensorCount() != live) {
            throw new IllegalStateException("benchmark leaked " + (backend.liveTensorCount() - live) + " tensors");
        }
        for (NativeTensor in : inputs) {
            in.close();
        }
    }

    private record Case(String name, Body body) {
    }

    @FunctionalInterface
    private interface Body {
        void run(FusedKernels f);

        default Void apply(FusedKernels f) {
            run(f);
            return null;
        }
    }

    private static void close(FusedKernels.Result r) {
        r.output().close();
        r.saved().forEach(NativeTensor::close);
    }

    private static void closeAll(NativeTensor[] ts) {
        for (NativeTensor t : ts) {
            if (t != null) {
                t.close();
            }
        }
    }
}
