package dev.llmforge.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.distributed.Collective;
import dev.llmforge.distributed.Replica;
import dev.llmforge.distributed.CollectiveException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replicas as tasks of a Spark barrier stage in local[2]: the ring inside Spark, training equivalence, failures. */
class DataParallelJobTest {
    private static final RingOptions TEST_RING = new RingOptions(Duration.ofSeconds(20), Duration.ofSeconds(20));
    /** Messages of the collective failures replicas saw (local mode: the tasks run in this JVM). */
    private static final Queue<String> FAILURES = new ConcurrentLinkedQueue<>();

    private static JavaSparkContext sc;

    @TempDir
    Path dir;

    @BeforeAll
    static void startSpark() {
        SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("llmforge-spark-test")
                .set("spark.ui.enabled", "false")
                .set("spark.ui.showConsoleProgress", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.barrier.sync.timeout", "30s") // Spark's default is a year: a lost barrier call fails in seconds
                .set("spark.stage.maxConsecutiveAttempts", "2"); // one retry of a failed barrier stage
        sc = new JavaSparkContext(conf);
        sc.setLogLevel("WARN");
    }

    @AfterAll
    static void stopSpark() {
        sc.stop();
    }

    @BeforeEach
    void clearFailures() {
        FAILURES.clear();
    }

    private static DataParallelOptions options(int replicas) {
        return DataParallelOptions.replicas(replicas).withRing(TEST_RING);
    }

    private static float[][] sumsOfTestBuffers(Collective c) {
        int[] lengths = {0, 1, 3, 1001};
        float[][] out = new float[lengths.length][];
        for (int b = 0; b < lengths.length; b++) {
            float[] data = new float[lengths[b]];
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) (Math.sin(0.7 * i + c.rank() + b) * Math.pow(10, i % 5 - 2));
            }
            c.allReduce(FloatBuffer.wrap(data));
            out[b] = data;
        }
        return out;
    }

    @Test
    void theRingInsideSparkTasksGivesTheSumsOfTheDriverReference() {
        List<float[][]> ring = DataParallelJob.run(sc, options(2), r -> sumsOfTestBuffers(r.collective()));
        List<float[][]> reference = DataParallelJob.run(sc, options(2).withCollective(CollectiveKind.SPARK_DRIVER),
                r -> sumsOfTestBuffers(r.collective()));
        for (int b = 0; b < 4; b++) {
            // two replicas: the ring's float sum and the reference's double sum rounded to float are both the exactly rounded sum
            assertArrayEquals(reference.get(0)[b], ring.get(0)[b], 0f, "buffer " + b);
            assertArrayEquals(ring.get(0)[b], ring.get(1)[b], 0f, "buffer " + b + ": the replicas differ");
            assertArrayEquals(reference.get(0)[b], reference.get(1)[b], 0f);
        }
    }

    @Test
    void twoReplicasOnHalfTheBatchFollowOneMachineOnTheWholeBatchForTwentyAdamWSteps() throws Exception {
        String tokens = TinyTraining.writeTokens(dir);
        int steps = 20;
        float[][] oneMachine = TinyTraining.train(tokens, steps, null);
        List<float[][]> replicas = DataParallelJob.run(sc, options(2), r -> TinyTraining.train(tokens, steps, r.collective()));
        double worst = 0;
        for (int s = 0; s < steps; s++) {
            assertArrayEquals(replicas.get(0)[s], replicas.get(1)[s], 0f, "step " + (s + 1) + ": the replicas differ");
            assertArrayEquals(oneMachine[s], replicas.get(0)[s], 1e-5f, "step " + (s + 1) + ": the replicas left one machine");
            for (int i = 0; i < oneMachine[s].length; i++) {
                worst = Math.max(worst, Math.abs(oneMachine[s][i] - replicas.get(0)[s][i]));
            }
        }
        double moved = 0;
        for (int i = 0; i < oneMachine[0].length; i++) {
            moved = Math.max(moved, Math.abs(oneMachine[steps - 1][i] - oneMachine[0][i]));
        }
        assertTrue(moved > 0.01, "training moved the parameters (largest change " + moved + ")");
        System.out.printf("20 AdamW steps: largest difference from one machine %.3g, largest change of a parameter %.3g%n", worst, moved);
    }

    @Test
    void theDriverReferenceTrainsTheSameBitsAsTheRing() throws Exception {
        String tokens = TinyTraining.writeTokens(dir);
        List<float[][]> ring = DataParallelJob.run(sc, options(2), r -> TinyTraining.train(tokens, 1, r.collective()));
        List<float[][]> reference = DataParallelJob.run(sc, options(2).withCollective(CollectiveKind.SPARK_DRIVER),
                r -> TinyTraining.train(tokens, 1, r.collective()));
        assertArrayEquals(reference.get(0)[0], ring.get(0)[0], 0f);
        assertArrayEquals(reference.get(0)[0], reference.get(1)[0], 0f);
    }

    /** Four all-reduces; on the first attempt, rank 1 dies after two (its sockets close, its task lingers until Spark kills it). */
    private static float[] dieOnFirstAttempt(Replica r) throws InterruptedException {
        float[] data = new float[5];
        try {
            for (int step = 0; step < 4; step++) {
                if (r.attempt() == 0 && r.rank() == 1 && step == 2) {
                    r.collective().close();
                    waitUntilKilled();
                }
                data[step] = r.rank() + 1;
                r.collective().allReduce(FloatBuffer.wrap(data));
            }
            data[4] = r.attempt();
            return data;
        } catch (CollectiveException e) {
            FAILURES.add(e.getMessage());
            throw e;
        }
    }

    private static void waitUntilKilled() throws InterruptedException {
        while (!TaskContext.get().isInterrupted()) {
            Thread.sleep(20);
        }
        throw new InterruptedException("killed by Spark");
    }

    @Test
    void aReplicaThatDiesFailsItsAttemptNamingItAndSparkRunsTheStageAgain() {
        List<float[]> results = DataParallelJob.run(sc, options(2), DataParallelJobTest::dieOnFirstAttempt);
        for (float[] r : results) {
            assertArrayEquals(new float[] {24, 12, 6, 3, 1}, r, 0f, "the second attempt ran every step from the start");
        }
        assertTrue(FAILURES.stream().anyMatch(m -> m.matches("all-reduce #3 \\(step 0\\): rank 1 at 127\\.0\\.0\\.1:\\d+ \\(the previous replica in the ring\\)"
                + " closed the connection: its task failed, was killed or left the run early")), FAILURES.toString());
    }

    @Test
    void aReplicaThatHangsFailsTheJobWithinSecondsNamingIt() {
        RingOptions quick = new RingOptions(Duration.ofSeconds(20), Duration.ofSeconds(2));
        long start = System.nanoTime();
        SparkException e = assertThrows(SparkException.class, () -> DataParallelJob.run(sc, options(2).withRing(quick), r -> {
            r.collective().allReduce(FloatBuffer.wrap(new float[3]));
            if (r.rank() == 1) {
                waitUntilKilled(); // alive, connections open, no longer taking part
            }
            r.collective().allReduce(FloatBuffer.wrap(new float[3]));
            return 0;
        }));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(e.getMessage().matches("(?s).*all-reduce #2 \\(step 0\\): no progress for 2 s: waiting for data from rank 1 at 127\\.0\\.0\\.1:\\d+"
                + " \\(the previous replica in the ring\\): it hung, lags by more than the timeout, or its host is unreachable.*"), e.getMessage());
        assertTrue(seconds < 60, "two attempts with a 2 s timeout took " + seconds + " s");
    }

    @Test
    void moreReplicasThanTheLocalMasterRunsAtOnceAreRefusedBeforeSparkWaitsForSlots() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataParallelJob.run(sc, options(3), r -> 0));
        assertEquals("--replicas 3 needs 3 tasks running at once (one barrier stage), but master local[2] runs 2 at a time:"
                + " use local[3] or more, or fewer replicas", e.getMessage());
    }
}
