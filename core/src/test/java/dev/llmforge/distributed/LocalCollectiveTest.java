package dev.llmforge.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocalCollectiveTest {
    private static final Duration SHORT = Duration.ofSeconds(5);

    private static float value(int rank, int i) {
        return (float) (Math.sin(0.37 * i + rank) * Math.pow(10, i % 7 - 3));
    }

    @Test
    void allReduceGivesEveryReplicaTheDoubleSumRoundedOnce() throws Exception {
        for (int replicas : new int[] {1, 2, 3}) {
            for (int length : new int[] {0, 1, 7, 1001}) {
                List<float[]> sums = LocalCollective.run(replicas, SHORT, r -> {
                    float[] v = new float[length];
                    for (int i = 0; i < length; i++) {
                        v[i] = value(r.rank(), i);
                    }
                    r.collective().allReduce(FloatBuffer.wrap(v));
                    return v;
                });
                float[] expected = new float[length];
                for (int i = 0; i < length; i++) {
                    double sum = 0;
                    for (int rank = 0; rank < replicas; rank++) {
                        sum += value(rank, i);
                    }
                    expected[i] = (float) sum;
                }
                for (float[] s : sums) {
                    assertArrayEquals(expected, s, replicas + " replicas, length " + length);
                }
            }
        }
    }

    @Test
    void meanAndBroadcastFromEveryRoot() throws Exception {
        List<float[]> out = LocalCollective.run(3, SHORT, r -> {
            float[] fromRoots = new float[3];
            for (int root = 0; root < 3; root++) {
                float[] v = {r.rank() * 10f + root};
                r.collective().broadcast(FloatBuffer.wrap(v), root);
                fromRoots[root] = v[0];
            }
            DataParallel dp = new DataParallel(r.collective(), java.util.Map.of());
            float[] mean = dp.mean(new float[] {r.rank(), 3f * r.rank()});
            return new float[] {fromRoots[0], fromRoots[1], fromRoots[2], mean[0], mean[1]};
        });
        for (float[] o : out) {
            assertArrayEquals(new float[] {0f, 11f, 22f, 1f, 3f}, o);
        }
    }

    @Test
    void differentLengthsFailOnEveryReplicaNamingBoth() {
        Exception e = assertThrows(CollectiveException.class, () -> LocalCollective.run(2, SHORT, r -> {
            r.collective().allReduce(FloatBuffer.wrap(new float[r.rank() + 2]));
            return 0;
        }));
        assertTrue(e.getMessage().contains("rank 0 gave 2 elements") || e.getMessage().contains("rank 1 gave 3 elements"), e.getMessage());
        assertEquals(1, e.getSuppressed().length, "both replicas fail");
    }

    @Test
    void aReplicaThatFailsMakesTheOthersFailInsteadOfWaiting() {
        long start = System.nanoTime();
        Exception e = assertThrows(IllegalStateException.class, () -> LocalCollective.run(2, Duration.ofMinutes(5), r -> {
            if (r.rank() == 1) {
                throw new IllegalStateException("replica 1 broke");
            }
            r.collective().barrier();
            return 0;
        }));
        assertEquals("replica 1 broke", e.getMessage());
        assertTrue(e.getSuppressed()[0] instanceof CollectiveException, "rank 0's failure: " + e.getSuppressed()[0]);
        assertTrue(System.nanoTime() - start < Duration.ofMinutes(1).toNanos(), "rank 0 did not wait for the timeout");
    }

    @Test
    void aReplicaThatHangsMakesTheOthersFailAfterTheTimeout() {
        Exception e = assertThrows(CollectiveException.class, () -> LocalCollective.run(2, Duration.ofMillis(300), r -> {
            if (r.rank() == 0) {
                r.collective().barrier();
            } else {
                Thread.sleep(1500);
            }
            return 0;
        }));
        assertTrue(e.getMessage().contains("rank 0 waited more than"), e.getMessage());
    }
}
