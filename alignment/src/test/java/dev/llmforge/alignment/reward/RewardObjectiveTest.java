package dev.llmforge.alignment.reward;

import static dev.llmforge.alignment.PreferenceFixtures.CONFIG;
import static dev.llmforge.alignment.PreferenceFixtures.EOS;
import static dev.llmforge.alignment.PreferenceFixtures.REFERENCE;
import static dev.llmforge.alignment.PreferenceFixtures.TENSORS;
import static dev.llmforge.alignment.PreferenceFixtures.TRAIN;
import static dev.llmforge.alignment.PreferenceFixtures.VAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.alignment.PreferenceFixtures;
import dev.llmforge.alignment.PreferenceFixtures.Recorder;
import dev.llmforge.alignment.data.MaskedTokens;
import dev.llmforge.alignment.data.PreferenceBatchSource;
import dev.llmforge.alignment.data.PreferenceExample;
import dev.llmforge.model.Gpt;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import dev.llmforge.training.Loss;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingConfig;
import dev.llmforge.training.TrainingResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RewardObjectiveTest {

    @TempDir
    Path dir;

    static double aloneScore(RewardModel m, MaskedTokens sequence) {
        try (TensorScope ignored = TensorScope.open()) {
            long[] ids = Arrays.stream(sequence.ids()).asLongStream().toArray();
            float[] mask = new float[ids.length];
            Arrays.fill(mask, 1);
            return m.score(TENSORS.of(ids, 1, ids.length), TENSORS.of(mask, 1, ids.length)).item();
        }
    }

    @Test
    void lossIsThePairwiseLossOfEachPairScoredAloneWeightedByPromptWithMarginAndCentering() {
        List<List<PreferenceExample>> groups = TRAIN.subList(0, 3); // one pair with margin 0.5, one pair, a ranked list of three pairs
        double[] weights = {1 / 3.0, 1 / 3.0, 1 / 9.0, 1 / 9.0, 1 / 9.0};
        double[] margins = {0.5, 0, 0, 0, 0};
        try (RewardModel m = RewardModel.withFreshHead(new Gpt(CONFIG, REFERENCE, 3), 4); TensorScope ignored = TensorScope.open()) {
            m.eval();
            List<PreferenceExample> pairs = groups.stream().flatMap(List::stream).toList();
            double expected = 0;
            double centering = 0;
            double margin = 0;
            int right = 0;
            for (int i = 0; i < pairs.size(); i++) {
                double chosen = aloneScore(m, pairs.get(i).chosenSequence());
                double rejected = aloneScore(m, pairs.get(i).rejectedSequence());
                expected += weights[i] * Math.log1p(Math.exp(-(chosen - rejected - margins[i])));
                centering += (chosen + rejected) * (chosen + rejected) / pairs.size();
                margin += (chosen - rejected) / pairs.size();
                right += chosen > rejected ? 1 : 0;
            }
            Loss loss = new RewardObjective(m, 0.01).compute(PreferenceBatchSource.batchOf(groups, EOS, null).upload(TENSORS));
            assertEquals(expected + 0.01 * centering, loss.value().item(), 1e-5);
            assertEquals(margin, loss.metrics().get(RewardObjective.MARGIN).item(), 1e-5);
            assertEquals(right / 5.0, loss.metrics().get(RewardObjective.ACCURACY).item(), 1e-6);
        }
    }

    static Trainer.Builder trainer(RewardModel m, Path out, long maxIters) {
        TrainingConfig config = TrainingConfig.builder().maxIters(maxIters).learningRate(1e-2).minLr(1e-3).warmupIters(2).lrDecayIters(maxIters)
                .evalInterval(4).evalIters(3).seed(5).build();
        return RewardObjective.trainer(m, 0.01).backend(REFERENCE).config(config)
                .trainSource(PreferenceBatchSource.builder(TRAIN).groupsPerBatch(4).padId(EOS).shuffle(9).build())
                .evalSource("val", PreferenceBatchSource.builder(VAL).groupsPerBatch(4).padId(EOS).build()).tokenizerJson("{}").outputDir(out);
    }

    static RewardModel fresh() {
        return RewardModel.withFreshHead(new Gpt(CONFIG, REFERENCE, 3), 4);
    }

    @Test
    void learnsTheRankingKeepsTheMostAccurateCheckpointAndResumesExactly() throws Exception {
        Recorder straight = new Recorder();
        TrainingResult result;
        try (RewardModel m = fresh(); Trainer t = trainer(m, dir.resolve("a"), 16).listener(straight).build()) {
            result = t.run();
        }
        assertEquals("val_accuracy", result.bestMetric());
        double best = straight.evals.stream().mapToDouble(e -> e.get("val_accuracy")).max().orElseThrow();
        assertEquals(best, result.bestValue(), 0);
        assertTrue(best >= 0.85 && straight.evals.get(0).get("val_accuracy") < 0.5, "held-out pairwise accuracy on an easy rule rises: " + straight.evals);
        try (RewardModel loaded = RewardModel.load(dir.resolve("a").resolve(Trainer.BEST_DIR), REFERENCE)) {
            assertEquals(0, loaded.offset(), 0, "a training checkpoint is a reward-model directory, not normalised yet");
        }

        Path out = dir.resolve("b");
        Recorder before = new Recorder();
        try (RewardModel m = fresh(); Trainer t = trainer(m, out, 16).listener(before).build()) {
            t.addListener(PreferenceFixtures.stopAt(t, 5));
            assertTrue(t.run().stoppedEarly());
        }
        Recorder after = new Recorder();
        try (RewardModel m = fresh(); Trainer t = trainer(m, out, 16).resumeFrom(out.resolve(Trainer.LATEST_DIR)).listener(after).build()) {
            t.run();
        }
        List<Object> resumed = new ArrayList<>(before.series());
        resumed.addAll(after.series());
        assertEquals(straight.series(), resumed, "every step's loss, metrics and gradient norms, bit for bit");
        assertEquals(straight.evals.stream().filter(e -> e.step() > 5).toList(), after.evals.stream().filter(e -> e.step() > 5).toList());
    }
}
