package dev.llmforge.training;

import static dev.llmforge.training.TrainingFixtures.params;
import static dev.llmforge.training.TrainingFixtures.preparedShakespeareHead;
import static dev.llmforge.training.TrainingFixtures.stepLosses;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.distributed.Collective;
import dev.llmforge.distributed.LocalCollective;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.training.data.PaddedRecordSource;
import dev.llmforge.training.data.PaddedRecordSource.Record;
import dev.llmforge.training.data.TokenData;
import dev.llmforge.training.metrics.StepMetrics;
import dev.llmforge.training.metrics.TrainingListener;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Trainer data-parallel over a {@link LocalCollective} (replicas as threads, no Spark): N replicas
 * with B/N rows each follow one machine with batch B, for pretraining and for padded records with
 * gradient accumulation; rank 0 alone writes; a stop and a resume keep every replica in step.
 */
class DataParallelTrainerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int STEPS = 20;

    @TempDir
    Path dir;
    TokenData data;
    List<Record> records;

    @BeforeEach
    void prepareDataAndRecords() throws Exception {
        data = preparedShakespeareHead(dir.resolve("data"));
        records = records();
    }

    /** What a run saw: every parameter after each step, and each step's loss as reported. */
    record Trace(float[][][] paramsAfterStep, double[] losses, double lastValLoss) implements Serializable {
    }

    /** Records the parameters and loss after each step. */
    private static final class Tracer implements TrainingListener {
        final List<float[][]> params = new ArrayList<>();
        final List<Double> losses = new ArrayList<>();
        private final Trainer trainer;

        Tracer(Trainer trainer) {
            this.trainer = trainer;
        }

        @Override
        public void onStep(StepMetrics m) {
            params.add(params(trainer.model()));
            losses.add(m.loss());
        }

        Trace trace(TrainingResult r) {
            return new Trace(params.toArray(new float[0][][]), losses.stream().mapToDouble(Double::doubleValue).toArray(),
                    r.lastEval().get("val_loss"));
        }
    }

    private static TrainingConfig config(int gradAccum) {
        // AdamW at nanoGPT's learning rate: Adam divides each gradient by its own scale, so elements whose gradient is zero but for
        // rounding move by a fraction of the learning rate either way; the 1e-5 agreement is for a learning rate of this size
        return TrainingConfig.builder().batchSize(8).gradAccumSteps(gradAccum).maxIters(STEPS).learningRate(1e-3).minLr(1e-4)
                .warmupIters(2).lrDecayIters(STEPS).evalInterval(10).evalIters(2).seed(7).build();
    }

    private Trace pretrain(Collective collective, Path out, TrainingConfig config) throws IOException {
        GptConfig model = GptConfig.gpt2(data.vocabSize(), 8, 2, 2, 16).toBuilder().bias(false).build();
        try (Trainer t = Pretraining.builder().backend(TrainerTest.REFERENCE).data(TokenData.open(dir.resolve("data"))).model(model)
                .config(config).outputDir(out).collective(collective).build()) {
            Tracer tracer = new Tracer(t);
            t.addListener(tracer);
            return tracer.trace(t.run());
        }
    }

    private static void assertFollows(Trace one, Trace replica, double tolerance) {
        for (int s = 0; s < STEPS; s++) {
            for (int p = 0; p < one.paramsAfterStep()[s].length; p++) {
                float[] a = one.paramsAfterStep()[s][p];
                float[] b = replica.paramsAfterStep()[s][p];
                for (int i = 0; i < a.length; i++) {
                    assertEquals(a[i], b[i], tolerance, "step " + (s + 1) + ", parameter " + p + ", element " + i);
                }
            }
            assertEquals(one.losses()[s], replica.losses()[s], 1e-5, "loss of step " + (s + 1));
        }
        assertEquals(one.lastValLoss(), replica.lastValLoss(), 1e-5, "val_loss");
    }

    private static void assertSameBits(Trace a, Trace b) {
        for (int s = 0; s < STEPS; s++) {
            for (int p = 0; p < a.paramsAfterStep()[s].length; p++) {
                assertArrayEquals(a.paramsAfterStep()[s][p], b.paramsAfterStep()[s][p], "step " + (s + 1) + ", parameter " + p);
            }
        }
        assertArrayEquals(a.losses(), b.losses());
    }

    @Test
    void twoReplicasWithHalfTheBatchFollowOneMachineAfterEveryStep() throws Exception {
        Trace one = pretrain(null, dir.resolve("one"), config(1));
        List<Trace> replicas = LocalCollective.run(2, TIMEOUT, r -> pretrain(r.collective(), dir.resolve("two"), config(1)));
        assertFollows(one, replicas.get(0), 1e-5);
        assertSameBits(replicas.get(0), replicas.get(1)); // identical parameters and reported losses on every replica
        assertFalse(java.util.Arrays.deepEquals(one.paramsAfterStep(), replicas.get(0).paramsAfterStep()),
                "the replicas computed their own halves (float rounding differs from one machine's)");
        assertEquals(stepLosses(dir.resolve("one").resolve(Trainer.METRICS_FILE)).size(),
                stepLosses(dir.resolve("two").resolve(Trainer.METRICS_FILE)).size(), "rank 0 wrote one metrics line per step");
        assertTrue(Files.isDirectory(dir.resolve("two").resolve(Trainer.LATEST_DIR)));
    }

    @Test
    void oneReplicaThroughACollectiveIsTheSingleMachineRunBitForBit() throws Exception {
        Trace one = pretrain(null, dir.resolve("one"), config(1));
        List<Trace> alone = LocalCollective.run(1, TIMEOUT, r -> pretrain(r.collective(), dir.resolve("alone"), config(1)));
        assertSameBits(one, alone.get(0));
    }

    /** Records of 16 tokens, every one a target, so each row weighs the same in a masked mean. */
    private List<Record> records() throws Exception {
        int[] ids = data.tokenizer().encode(TrainingFixtures.shakespeareHead());
        List<Record> out = new ArrayList<>();
        for (int start = 0; start + 16 <= ids.length && out.size() < 48; start += 16) {
            long[] r = new long[16];
            for (int i = 0; i < 16; i++) {
                r[i] = ids[start + i];
            }
            out.add(Record.allTargets(r));
        }
        return out;
    }

    private Trace sft(Collective collective, Path out) throws IOException {
        try (Gpt model = new Gpt(GptConfig.gpt2(data.vocabSize(), 16, 2, 2, 16).toBuilder().bias(false).build(), TrainerTest.REFERENCE, 3);
             Trainer t = Trainer.builder().backend(TrainerTest.REFERENCE).config(config(2)).model("model", model)
                     .objective(new CustomObjectiveTest.MaskedNextToken(model))
                     .trainSource(PaddedRecordSource.builder(records.subList(0, 40)).batchSize(8).shuffle(11).build())
                     .evalSource("val", PaddedRecordSource.builder(records.subList(40, 48)).batchSize(8).build())
                     .tokenizerJson("{}").outputDir(out).collective(collective).build()) {
            Tracer tracer = new Tracer(t);
            t.addListener(tracer);
            return tracer.trace(t.run());
        }
    }

    @Test
    void paddedRecordsWithGradientAccumulationFollowOneMachine() throws Exception {
        Trace one = sft(null, dir.resolve("one"));
        List<Trace> replicas = LocalCollective.run(2, TIMEOUT, r -> sft(r.collective(), dir.resolve("two")));
        assertFollows(one, replicas.get(0), 1e-5);
        assertSameBits(replicas.get(0), replicas.get(1));
    }

    @Test
    void aStopOnOneReplicaStopsAllAndTheResumedReplicasEndAsAnUninterruptedRun() throws Exception {
        List<Trace> straight = LocalCollective.run(2, TIMEOUT, r -> pretrain(r.collective(), dir.resolve("straight"), config(1)));
        Path out = dir.resolve("stopped");
        List<Long> stoppedAt = LocalCollective.run(2, TIMEOUT, r -> {
            GptConfig model = GptConfig.gpt2(data.vocabSize(), 8, 2, 2, 16).toBuilder().bias(false).build();
            try (Trainer t = Pretraining.builder().backend(TrainerTest.REFERENCE).data(TokenData.open(dir.resolve("data"))).model(model)
                    .config(config(1)).outputDir(out).collective(r.collective()).build()) {
                if (r.rank() == 1) {
                    t.addListener(TrainingFixtures.stopAt(t, 7)); // only rank 1 is asked: the replicas agree to stop together
                }
                return t.run().lastStep();
            }
        });
        assertEquals(List.of(7L, 7L), stoppedAt);
        List<float[][]> resumed = LocalCollective.run(2, TIMEOUT, r -> {
            try (Trainer t = Pretraining.builder().backend(TrainerTest.REFERENCE).data(TokenData.open(dir.resolve("data")))
                    .resumeFrom(out.resolve(Trainer.LATEST_DIR)).outputDir(out).collective(r.collective()).build()) {
                assertEquals(7, t.step());
                t.run();
                return params(t.model());
            }
        });
        for (float[][] replica : resumed) {
            for (int p = 0; p < replica.length; p++) {
                assertArrayEquals(straight.get(0).paramsAfterStep()[STEPS - 1][p], replica[p], "parameter " + p);
            }
        }
        double[] expected = straight.get(0).losses();
        List<Double> written = stepLosses(out.resolve(Trainer.METRICS_FILE));
        assertEquals(STEPS, written.size());
        for (int s = 0; s < STEPS; s++) {
            assertEquals(expected[s], written.get(s), 1e-6 * Math.abs(expected[s]), "metrics.jsonl, step " + (s + 1));
        }
    }
}
