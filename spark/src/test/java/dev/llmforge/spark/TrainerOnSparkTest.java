package dev.llmforge.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.distributed.Collective;
import dev.llmforge.distributed.Replica;
import dev.llmforge.distributed.ReplicaLauncher;
import dev.llmforge.model.GptConfig;
import dev.llmforge.nn.Module;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.training.Pretraining;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingCheckpoint;
import dev.llmforge.training.TrainingConfig;
import dev.llmforge.training.data.DatasetPreparer;
import dev.llmforge.training.data.Rng;
import dev.llmforge.training.data.TokenData;
import dev.llmforge.training.metrics.StepMetrics;
import dev.llmforge.training.metrics.TrainingListener;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The general Trainer as the replicas of a Spark barrier stage in local[2], started through the
 * {@code spark} {@link ReplicaLauncher} found on the class path: two replicas with half the batch follow
 * the plain single-machine Trainer, and a replica that dies makes Spark retry the stage, which resumes
 * from rank 0's last checkpoint and ends exactly as an uninterrupted run.
 */
class TrainerOnSparkTest {
    private static final int STEPS = 20;
    private static final String[] TEST_SETTINGS = {"spark.ui.enabled", "false", "spark.driver.host", "127.0.0.1", "spark.driver.bindAddress",
            "127.0.0.1", "spark.barrier.sync.timeout", "30s", "spark.stage.maxConsecutiveAttempts", "2"};

    @TempDir
    Path dir;

    @BeforeAll
    static void quickSparkSettings() {
        for (int i = 0; i < TEST_SETTINGS.length; i += 2) {
            System.setProperty(TEST_SETTINGS[i], TEST_SETTINGS[i + 1]); // the launcher's SparkConf reads spark.* properties
        }
    }

    @AfterAll
    static void clearSparkSettings() {
        for (int i = 0; i < TEST_SETTINGS.length; i += 2) {
            System.clearProperty(TEST_SETTINGS[i]);
        }
    }

    /** What a replica returns: the stage attempt, the step it started at, every parameter after each step it ran, and each step's loss. */
    record Run(int attempt, long firstStep, List<float[][]> params, List<Double> losses) implements Serializable {
    }

    /** 20,000 characters of a noisy alphabet counter, prepared at character level. */
    private static TokenData prepare(Path dir) throws Exception {
        Rng rng = new Rng(7);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            text.append(rng.nextDouble() < 0.8 ? (char) ('a' + i % 26) : (char) ('a' + rng.nextLong(26)));
        }
        return DatasetPreparer.prepare(text.toString(), "char", dir, 0.9, "counter.txt");
    }

    private static TrainingConfig config() {
        return TrainingConfig.builder().batchSize(8).maxIters(STEPS).learningRate(1e-3).minLr(1e-4).warmupIters(2).lrDecayIters(STEPS)
                .evalInterval(10).evalIters(1).seed(7).build();
    }

    private static float[][] params(Module model) {
        return model.parameters().stream().map(Tensor::toFloatArray).toArray(float[][]::new);
    }

    /**
     * One replica (or, without a collective, one machine) of a pretraining run. On a retried attempt it resumes from the latest
     * checkpoint, as the command line does. {@code dieAfter}: rank 1 of the first attempt fails after that step.
     */
    private static Run pretrain(String data, String out, Replica replica, int dieAfter) throws Exception {
        Collective collective = replica == null ? null : replica.collective();
        Path latest = Path.of(out).resolve(Trainer.LATEST_DIR);
        boolean resume = replica != null && replica.attempt() > 0 && TrainingCheckpoint.exists(latest);
        Pretraining.Builder b = Pretraining.builder().backend(Backends.get("reference")).data(TokenData.open(Path.of(data))).config(config())
                .outputDir(Path.of(out)).collective(collective);
        if (resume) {
            b.resumeFrom(latest);
        } else {
            b.model(GptConfig.gpt2(26, 8, 2, 2, 16).toBuilder().bias(false).build()).overwrite(true);
        }
        try (Trainer t = b.build()) {
            List<float[][]> after = new ArrayList<>();
            List<Double> losses = new ArrayList<>();
            long first = t.step();
            t.addListener(new TrainingListener() {
                @Override
                public void onStep(StepMetrics m) {
                    after.add(params(t.model()));
                    losses.add(m.loss());
                    if (replica != null && replica.attempt() == 0 && replica.rank() == 1 && m.step() == dieAfter) {
                        throw new IllegalStateException("replica 1 dies after step " + dieAfter);
                    }
                }
            });
            t.run();
            return new Run(replica == null ? 0 : replica.attempt(), first, after, losses);
        }
    }

    @Test
    void theSparkLauncherRunsTheTrainerOnTwoReplicasThatFollowOneMachineAndResumeAfterAFailure() throws Exception {
        String data = prepare(dir.resolve("data")).directory().toString();
        ReplicaLauncher spark = ReplicaLauncher.find("spark").orElseThrow();

        Run oneMachine = pretrain(data, dir.resolve("one").toString(), null, -1);
        String straightOut = dir.resolve("straight").toString();
        List<Run> straight = spark.launch("local[2]", 2, r -> pretrain(data, straightOut, r, -1));
        double worst = 0;
        for (int s = 0; s < STEPS; s++) {
            for (int p = 0; p < oneMachine.params().get(s).length; p++) {
                assertArrayEquals(straight.get(0).params().get(s)[p], straight.get(1).params().get(s)[p], 0f, "step " + (s + 1) + ": replicas differ");
                float[] expected = oneMachine.params().get(s)[p];
                float[] actual = straight.get(0).params().get(s)[p];
                for (int i = 0; i < expected.length; i++) {
                    worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
                }
            }
            assertEquals(oneMachine.losses().get(s), straight.get(0).losses().get(s), 1e-5, "loss of step " + (s + 1));
        }
        assertTrue(worst <= 1e-5, "largest difference from the single-machine Trainer over 20 steps: " + worst);

        String failingOut = dir.resolve("failing").toString();
        List<Run> retried = spark.launch("local[2]", 2, r -> pretrain(data, failingOut, r, 13));
        for (Run r : retried) {
            assertEquals(1, r.attempt(), "Spark ran the stage a second time");
            assertEquals(10, r.firstStep(), "the retry resumed from the checkpoint of step 10");
            float[][] last = r.params().get(r.params().size() - 1);
            for (int p = 0; p < last.length; p++) {
                assertArrayEquals(straight.get(0).params().get(STEPS - 1)[p], last[p], 0f, "final parameter " + p);
            }
        }
        System.out.printf("Trainer on Spark, 20 AdamW steps: largest difference from one machine %.3g%n", worst);
    }
}
