package dev.llmforge.alignment.dpo;

import static dev.llmforge.alignment.PreferenceFixtures.CONFIG;
import static dev.llmforge.alignment.PreferenceFixtures.EOS;
import static dev.llmforge.alignment.PreferenceFixtures.REFERENCE;
import static dev.llmforge.alignment.PreferenceFixtures.TENSORS;
import static dev.llmforge.alignment.PreferenceFixtures.TRAIN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.alignment.PreferenceFixtures;
import dev.llmforge.alignment.PreferenceFixtures.Recorder;
import dev.llmforge.alignment.data.MaskedTokens;
import dev.llmforge.alignment.data.PreferenceBatchSource;
import dev.llmforge.alignment.data.PreferenceExample;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.TokenLogProbs;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import dev.llmforge.training.Loss;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingConfig;
import dev.llmforge.training.data.TensorBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DpoObjectiveTest {

    @TempDir
    Path dir;

    /** log π(response | prompt) of one sequence scored alone (no padding, no companions): summed or averaged over the response. */
    static double aloneLogProb(Gpt model, MaskedTokens sequence, boolean average) {
        try (TensorScope ignored = TensorScope.open()) {
            long[] ids = Arrays.stream(sequence.ids()).asLongStream().toArray();
            float[] response = new float[ids.length];
            for (int i = 0; i < ids.length; i++) {
                response[i] = sequence.lossMask()[i] ? 1 : 0;
            }
            TokenLogProbs lp = TokenLogProbs.score(model, TENSORS.of(ids, 1, ids.length), null, 1.0);
            Tensor mask = TENSORS.of(response, 1, ids.length);
            return (average ? lp.mean(mask) : lp.sum(mask)).item();
        }
    }

    /** The per-pair loss written out from its paper's formula. */
    static double pairLoss(DpoLoss loss, double h, double beta) {
        return switch (loss) {
            case SIGMOID -> Math.log1p(Math.exp(-beta * h));
            case IPO -> (h - 1 / (2 * beta)) * (h - 1 / (2 * beta));
            case HINGE -> Math.max(0, 1 - beta * h);
        };
    }

    @Test
    void theLossComesFromThePolicyAgainstTheReferencesOwnLogProbsLiveOrPrecomputed() {
        List<List<PreferenceExample>> groups = TRAIN.subList(0, 3); // 1 + 1 + 3 pairs
        double[] weights = {1 / 3.0, 1 / 3.0, 1 / 9.0, 1 / 9.0, 1 / 9.0};
        double beta = 0.5;
        try (Gpt policy = new Gpt(CONFIG, REFERENCE, 1); Gpt reference = new Gpt(CONFIG, REFERENCE, 2); TensorScope ignored = TensorScope.open()) {
            policy.eval();
            reference.eval();
            List<PreferenceExample> pairs = groups.stream().flatMap(List::stream).toList();
            for (DpoLoss loss : DpoLoss.values()) {
                boolean average = loss == DpoLoss.IPO;
                double expected = 0;
                double margin = 0;
                for (int i = 0; i < pairs.size(); i++) {
                    double pc = aloneLogProb(policy, pairs.get(i).chosenSequence(), average);
                    double pr = aloneLogProb(policy, pairs.get(i).rejectedSequence(), average);
                    double rc = aloneLogProb(reference, pairs.get(i).chosenSequence(), average);
                    double rr = aloneLogProb(reference, pairs.get(i).rejectedSequence(), average);
                    expected += weights[i] * pairLoss(loss, (pc - pr) - (rc - rr), beta);
                    margin += beta * ((pc - rc) - (pr - rr)) / pairs.size();
                }
                // with the policy's log-probabilities in the reference's place every h would be 0 and the loss ln 2, 1/β², 1
                double usingThePolicy = loss == DpoLoss.SIGMOID ? Math.log(2) : loss == DpoLoss.IPO ? 1 / (4 * beta * beta) : 1;
                assertTrue(Math.abs(expected - usingThePolicy) > 0.01, loss + ": the test tells the two apart");

                TensorBatch live = PreferenceBatchSource.batchOf(groups, EOS, null).upload(TENSORS);
                Loss computed = new DpoObjective(policy, reference, loss, beta).compute(live);
                assertEquals(expected, computed.value().item(), 1e-4 * Math.max(1, expected), loss + " with the live reference");
                assertEquals(margin, computed.metrics().get(DpoObjective.MARGIN).item(), 1e-4, loss + " margin");

                List<double[][]> precomputed = ReferenceLogProbs.compute(reference, groups, 2, EOS, loss);
                TensorBatch withReference = PreferenceBatchSource.batchOf(groups, EOS, precomputed).upload(TENSORS);
                double fromPrecomputed = new DpoObjective(policy, null, loss, beta).compute(withReference).value().item();
                assertEquals(expected, fromPrecomputed, 1e-4 * Math.max(1, expected), loss + " with precomputed reference log-probabilities");
            }
        }
    }

    static Trainer.Builder trainer(Gpt policy, Gpt reference, List<double[][]> precomputed, Path out, long maxIters) {
        TrainingConfig config = TrainingConfig.builder().maxIters(maxIters).learningRate(3e-3).minLr(3e-4).warmupIters(0).lrDecayIters(maxIters)
                .evalInterval(4).evalIters(3).seed(5).build();
        PreferenceBatchSource.Builder train = PreferenceBatchSource.builder(TRAIN).groupsPerBatch(4).padId(EOS).shuffle(9);
        if (precomputed != null) {
            train.referenceLogProbs(precomputed);
        }
        return DpoObjective.trainer(policy, reference, DpoLoss.SIGMOID, DpoObjective.DEFAULT_BETA).backend(REFERENCE).config(config)
                .trainSource(train.build()).tokenizerJson("{}").outputDir(out);
    }

    @Test
    void firstLossIsLn2WhenThePolicyStartsAsTheReferenceAndTheMarginGrows() throws Exception {
        Recorder live = new Recorder();
        try (Gpt policy = new Gpt(CONFIG, REFERENCE, 1); Gpt reference = new Gpt(CONFIG, REFERENCE, 1);
             Trainer t = trainer(policy, reference, null, dir.resolve("live"), 12).listener(live).build()) {
            t.run();
        }
        assertEquals(Math.log(2), live.steps.get(0).loss(), 1e-6);
        assertEquals(0, live.steps.get(0).metrics().get(DpoObjective.MARGIN), 1e-6);
        double lastMargins = live.steps.subList(8, 12).stream().mapToDouble(s -> s.metrics().get(DpoObjective.MARGIN)).average().orElseThrow();
        assertTrue(lastMargins > 0.05, "implicit reward margin grows: " + live.series());

        Recorder precomputed = new Recorder();
        try (Gpt policy = new Gpt(CONFIG, REFERENCE, 1); Gpt reference = new Gpt(CONFIG, REFERENCE, 1)) {
            List<double[][]> ref = ReferenceLogProbs.compute(reference, TRAIN, 8, EOS, DpoLoss.SIGMOID);
            try (Trainer t = trainer(policy, null, ref, dir.resolve("pre"), 1).listener(precomputed).build()) {
                t.run();
            }
        }
        assertEquals(Math.log(2), precomputed.steps.get(0).loss(), 1e-5, "precomputed in other batches: equal up to rounding");
    }

    @Test
    void resumesExactlyWithALiveReference() throws Exception {
        Recorder straight = new Recorder();
        try (Gpt policy = new Gpt(CONFIG, REFERENCE, 1); Gpt reference = new Gpt(CONFIG, REFERENCE, 1);
             Trainer t = trainer(policy, reference, null, dir.resolve("a"), 8).listener(straight).build()) {
            t.run();
        }
        Path out = dir.resolve("b");
        Recorder before = new Recorder();
        try (Gpt policy = new Gpt(CONFIG, REFERENCE, 1); Gpt reference = new Gpt(CONFIG, REFERENCE, 1);
             Trainer t = trainer(policy, reference, null, out, 8).listener(before).build()) {
            t.addListener(PreferenceFixtures.stopAt(t, 3));
            assertTrue(t.run().stoppedEarly());
        }
        Recorder after = new Recorder();
        try (Gpt policy = new Gpt(CONFIG, REFERENCE, 1); Gpt reference = new Gpt(CONFIG, REFERENCE, 7);
             Trainer t = trainer(policy, reference, null, out, 8).resumeFrom(out.resolve(Trainer.LATEST_DIR)).listener(after).build()) {
            t.run(); // the reference comes back from the checkpoint, whatever it was built with
        }
        List<Object> resumed = new ArrayList<>(before.series());
        resumed.addAll(after.series());
        assertEquals(straight.series(), resumed, "every step's loss, metrics and gradient norms, bit for bit");
    }

    @Test
    void thePolicyCannotBeItsOwnReference() {
        try (Gpt policy = new Gpt(CONFIG, REFERENCE, 1)) {
            assertThrows(IllegalArgumentException.class, () -> new DpoObjective(policy, policy, DpoLoss.SIGMOID, 0.1));
            assertThrows(IllegalArgumentException.class, () -> new DpoObjective(policy, null, DpoLoss.SIGMOID, 0));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DpoLoss.named("kto"));
            assertTrue(e.getMessage().contains("[sigmoid, ipo, hinge]"), e.getMessage());
        }
    }
}
