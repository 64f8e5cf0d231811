package dev.llmforge.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class DataParallelTest {
    private static final Backend REFERENCE = Backends.get("reference");

    /** Runs {@code replica} on one thread per collective; returns the results by rank, or throws the first failure. */
    private static <R> List<R> onReplicas(List<Collective> group, Function<Collective, R> replica) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(group.size());
        try {
            List<Future<R>> futures = new ArrayList<>();
            for (Collective c : group) {
                futures.add(pool.submit(() -> replica.apply(c)));
            }
            List<R> out = new ArrayList<>();
            for (Future<R> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static Tensor parameter(float[] values, int... dims) {
        return Tensor.on(REFERENCE).of(values, dims).requiresGrad(true);
    }

    private static void grad(Tensor p, float... g) {
        p.setGrad(Tensor.on(REFERENCE).of(g, p.shape().dims()));
    }

    /** Gradient values a replica of this rank holds for element i of a parameter. */
    private static float gradValue(int rank, int parameter, int i) {
        return (float) Math.sin(1.7 * rank + 0.31 * i + parameter) * (rank + 1);
    }

    @Test
    void averageGradientsGivesEveryReplicaTheMeanOverBucketsSmallerThanAParameter() throws Exception {
        int replicas = 3;
        List<float[][]> results = onReplicas(LocalCollective.group(replicas), c -> {
            Map<String, Tensor> params = new LinkedHashMap<>();
            params.put("w", parameter(new float[6], 2, 3));
            params.put("b", parameter(new float[3], 3));
            params.put("s", parameter(new float[1]));
            int k = 0;
            for (Tensor p : params.values()) {
                float[] g = new float[(int) p.shape().numel()];
                for (int i = 0; i < g.length; i++) {
                    g[i] = gradValue(c.rank(), k, i);
                }
                grad(p, g);
                k++;
            }
            DataParallel dp = new DataParallel(c, params, 4); // 3 flags + 10 elements in buckets of 4
            assertEquals(13, dp.floatsPerStep());
            dp.averageGradients();
            return params.values().stream().map(p -> p.grad().toFloatArray()).toArray(float[][]::new);
        });
        for (int k = 0; k < 3; k++) {
            float[] got = results.get(0)[k];
            for (int i = 0; i < got.length; i++) {
                double mean = 0;
                for (int r = 0; r < replicas; r++) {
                    mean += gradValue(r, k, i);
                }
                mean /= replicas;
                assertEquals(mean, got[i], 1e-6, "parameter " + k + " element " + i);
            }
            for (int r = 1; r < replicas; r++) {
                assertArrayEquals(got, results.get(r)[k], "rank " + r + " differs from rank 0 for parameter " + k);
            }
        }
    }

    @Test
    void aGradientMissingOnSomeReplicasCountsAsZeroAndOneMissingEverywhereStaysMissing() throws Exception {
        List<float[][]> results = onReplicas(LocalCollective.group(2), c -> {
            Map<String, Tensor> params = new LinkedHashMap<>();
            params.put("a", parameter(new float[2], 2));
            params.put("b", parameter(new float[2], 2));
            params.put("unused", parameter(new float[2], 2));
            grad(params.get("a"), 2f, 4f);
            if (c.rank() == 1) {
                grad(params.get("b"), 6f, -2f);
            }
            new DataParallel(c, params, 3).averageGradients();
            assertNull(params.get("unused").grad());
            return new float[][] {params.get("a").grad().toFloatArray(), params.get("b").grad().toFloatArray()};
        });
        for (float[][] r : results) {
            assertArrayEquals(new float[] {2f, 4f}, r[0]);
            assertArrayEquals(new float[] {3f, -1f}, r[1]);
        }
    }

    @Test
    void broadcastParametersGivesEveryReplicaRankZerosValues() throws Exception {
        List<float[]> results = onReplicas(LocalCollective.group(3), c -> {
            Map<String, Tensor> params = new LinkedHashMap<>();
            params.put("w", parameter(new float[] {c.rank(), 10 + c.rank(), 20 + c.rank(), 30 + c.rank()}, 2, 2));
            params.put("b", parameter(new float[] {-c.rank()}, 1));
            new DataParallel(c, params, 3).broadcastParameters();
            assertTrue(params.get("w").requiresGrad(), "the parameter keeps requiring gradients");
            float[] w = params.get("w").toFloatArray();
            float[] b = params.get("b").toFloatArray();
            return new float[] {w[0], w[1], w[2], w[3], b[0]};
        });
        for (float[] r : results) {
            assertArrayEquals(new float[] {0f, 10f, 20f, 30f, 0f}, r);
        }
    }

    @Test
    void replicasWithDifferentParametersAllFailNamingTheDifference() {
        ExecutionException e = assertThrows(ExecutionException.class, () -> onReplicas(LocalCollective.group(2), c -> {
            Map<String, Tensor> params = new LinkedHashMap<>();
            params.put("w", parameter(new float[c.rank() == 0 ? 4 : 6], 2, c.rank() == 0 ? 2 : 3));
            new DataParallel(c, params).broadcastParameters();
            return null;
        }));
        assertTrue(e.getCause() instanceof IllegalStateException, e.toString());
        assertTrue(e.getCause().getMessage().startsWith("1 of 2 replicas have parameters (names, shapes, order) that differ from rank 0's"),
                e.getCause().getMessage());
    }

    @Test
    void nonF32ParametersAreRefusedByName() {
        Map<String, Tensor> params = Map.of("h.0.w", Tensor.on(REFERENCE).of(new double[] {1, 2}, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DataParallel(LocalCollective.group(1).get(0), params));
        assertEquals("data-parallel training needs F32 parameters; 'h.0.w' is [2] F64 on reference", e.getMessage());
    }

    @Test
    void twoReplicasOnHalfTheBatchGiveTheGradientOfTheWholeBatch() throws Exception {
        GptConfig config = GptConfig.gpt2(11, 8, 2, 2, 8);
        int batch = 4;
        int block = 8;
        long[] x = new long[batch * block];
        long[] y = new long[batch * block];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i * 7 + 3) % 11;
            y[i] = (i * 5 + 1) % 11;
        }
        Map<String, float[]> whole = new LinkedHashMap<>();
        try (Gpt model = new Gpt(config, REFERENCE, 7); TensorScope ignored = TensorScope.open()) {
            model.loss(Tensor.on(REFERENCE).of(x, batch, block), Tensor.on(REFERENCE).of(y, batch, block)).backward();
            model.namedParameters().forEach((name, p) -> whole.put(name, p.grad().toFloatArray()));
        }
        List<Map<String, float[]>> replicas = onReplicas(LocalCollective.group(2), c -> {
            int rows = batch / 2;
            long[] xs = java.util.Arrays.copyOfRange(x, c.rank() * rows * block, (c.rank() + 1) * rows * block);
            long[] ys = java.util.Arrays.copyOfRange(y, c.rank() * rows * block, (c.rank() + 1) * rows * block);
            Map<String, float[]> grads = new LinkedHashMap<>();
            try (Gpt model = new Gpt(config, REFERENCE, 7); TensorScope ignored = TensorScope.open()) {
                model.loss(Tensor.on(REFERENCE).of(xs, rows, block), Tensor.on(REFERENCE).of(ys, rows, block)).backward();
                new DataParallel(c, model.namedParameters()).averageGradients();
                model.namedParameters().forEach((name, p) -> grads.put(name, p.grad().toFloatArray()));
            }
            return grads;
        });
        for (Map.Entry<String, float[]> e : whole.entrySet()) {
            float[] averaged = replicas.get(0).get(e.getKey());
            assertNotNull(averaged, e.getKey());
            assertArrayEquals(averaged, replicas.get(1).get(e.getKey()), e.getKey() + ": the replicas differ");
            for (int i = 0; i < averaged.length; i++) {
                assertEquals(e.getValue()[i], averaged[i], 1e-6, e.getKey() + "[" + i + "]");
            }
        }
    }
}
