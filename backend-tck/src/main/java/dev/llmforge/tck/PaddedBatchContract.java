package dev.llmforge.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmforge.generate.GenerationConfig;
import dev.llmforge.generate.GenerationResult;
import dev.llmforge.generate.Generator;
import dev.llmforge.generate.RolloutBatch;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.model.ScalarHead;
import dev.llmforge.model.TokenLogProbs;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The model API alignment is built on, on the backend under test, for the GPT-2 family (learned
 * positions) and the LLaMA family (RoPE, grouped-query attention): a sequence's per-token
 * log-probabilities and its scalar-head score do not change with the padding side, the amount of
 * padding or the other rows of the batch; batched generation over prompts of different lengths
 * (left-padded, through the KV cache and, where the backend captures, the compiled decode step)
 * gives each prompt the tokens it gets alone, greedy or sampled; and the log-probabilities returned
 * with sampled tokens are those the model gives the tokens when scored.
 */
public abstract class PaddedBatchContract extends BackendContract {
    private static final double TOL = 1e-4;
    private static final long EOS = 15; // also the padding id: padding is told by the mask, never by id

    static Stream<Named<GptConfig>> families() {
        return Stream.of(Named.of("gpt2", GptConfig.gpt2(16, 16, 2, 2, 16).toBuilder().initStd(0.3).build()),
                Named.of("llama", GptConfig.llama(16, 16, 2, 4, 2, 16, 24).toBuilder().initStd(0.3).build()));
    }

    /** One sequence's tokens and the mask of tokens to score, placed in a padded batch at row 0. */
    private record Scored(Tensor ids, Tensor attentionMask, Tensor scoreMask) {
    }

    /**
     * {@code row} followed by {@code companions}, padded to {@code width} on the left or right; the
     * last {@code scored} tokens of row 0 are scored, and the last token of each companion.
     */
    private static Scored batch(TensorFactory f, long[] row, int scored, List<long[]> companions, int width, boolean left) {
        List<long[]> rows = new ArrayList<>(List.of(row));
        rows.addAll(companions);
        long[] ids = new long[rows.size() * width];
        float[] mask = new float[ids.length];
        float[] score = new float[ids.length];
        Arrays.fill(ids, EOS);
        for (int b = 0; b < rows.size(); b++) {
            long[] r = rows.get(b);
            int offset = b * width + (left ? width - r.length : 0);
            for (int t = 0; t < r.length; t++) {
                ids[offset + t] = r[t];
                mask[offset + t] = 1;
                score[offset + t] = t >= r.length - (b == 0 ? scored : 1) ? 1 : 0;
            }
        }
        return new Scored(f.of(ids, rows.size(), width), f.of(mask, rows.size(), width), f.of(score, rows.size(), width));
    }

    private Tensor onReference(Tensor t) {
        return Tensor.on(reference()).of(t.toDoubleArray(), t.shape(), t.dtype());
    }

    @ParameterizedTest
    @MethodSource("families")
    void logProbabilitiesDoNotDependOnPaddingOrCompanions(GptConfig config) {
        long[] sequence = {3, 1, 4, 1, 5, 9, EOS}; // a prompt of 4, a response of 3 ending in EOS
        try (Gpt model = new Gpt(config, backend(), 7); Gpt oracle = new Gpt(config, reference(), 7); TensorScope ignored = TensorScope.open()) {
            model.eval();
            oracle.eval();
            Scored alone = batch(tensors(), sequence, 3, List.of(), 7, true);
            TokenLogProbs a = TokenLogProbs.score(model, alone.ids(), null, 1);
            double sum = a.sum(alone.scoreMask()).item();
            double mean = a.mean(alone.scoreMask()).item();
            List<Scored> padded = List.of(
                    batch(tensors(), sequence, 3, List.of(new long[] {2, 7, 1, 8, 2, 8, 1, 8, 2}), 9, true),
                    batch(tensors(), sequence, 3, List.of(new long[] {6, 6}, new long[] {0, 0, 0, 0, 0}), 12, true),
                    batch(tensors(), sequence, 3, List.of(new long[] {2, 7}), 10, false));
            for (Scored s : padded) {
                String what = (s.attentionMask().toFloatArray()[0] == 0 ? "left" : "right") + " padding to " + s.ids().dim(1) + ", batch of "
                        + s.ids().dim(0) + " on " + backend().name();
                TokenLogProbs lp = TokenLogProbs.score(model, s.ids(), s.attentionMask(), 1);
                assertEquals(sum, lp.sum(s.scoreMask()).toFloatArray()[0], TOL, "sum, " + what);
                assertEquals(mean, lp.mean(s.scoreMask()).toFloatArray()[0], TOL, "mean, " + what);
            }
            // the same numbers as the reference backend, token by token, in a left-padded batch
            Scored s = padded.get(1);
            float[] want = TokenLogProbs.score(oracle, onReference(s.ids()), onReference(s.attentionMask()), 0.7).perToken().toFloatArray();
            float[] got = TokenLogProbs.score(model, s.ids(), s.attentionMask(), 0.7).perToken().toFloatArray();
            float[] real = s.attentionMask().toFloatArray();
            for (int i = 0; i < want.length; i++) {
                if (real[i] == 1) {
                    assertEquals(want[i], got[i], TOL, "token " + i + " vs " + REFERENCE);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("families")
    void theScalarHeadReadsEachRowAtItsLastRealTokenEvenWhenPaddingIsEos(GptConfig config) {
        long[] sequence = {3, 1, 4, 1, 5, EOS};
        try (Gpt model = new Gpt(config, backend(), 8); ScalarHead head = ScalarHead.of(model, 9); TensorScope ignored = TensorScope.open()) {
            model.eval();
            Scored alone = batch(tensors(), sequence, 0, List.of(), 6, true);
            double want = head.atLastToken(model.hiddenStates(alone.ids(), alone.attentionMask()), alone.attentionMask()).item();
            for (boolean left : new boolean[] {true, false}) {
                Scored s = batch(tensors(), sequence, 0, List.of(new long[] {4, 4, 4, 4, 4, 4, 4, 4, 4}, new long[] {2}), 10, left);
                float[] scores = head.atLastToken(model.hiddenStates(s.ids(), s.attentionMask()), s.attentionMask()).toFloatArray();
                assertEquals(want, scores[0], TOL, (left ? "left" : "right") + " padding with PAD == EOS on " + backend().name());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("families")
    void leftPaddedMixedLengthPromptsGenerateGreedilyAsOneByOne(GptConfig config) {
        List<int[]> prompts = List.of(new int[] {5}, new int[] {1, 2, 3, 4, 5}, new int[] {9, 8, 7});
        GenerationConfig greedy = GenerationConfig.greedy(8);
        try (Gpt model = new Gpt(config, backend(), 11); Generator generator = new Generator(model)) {
            List<GenerationResult> batch = generator.generate(prompts, greedy, null);
            for (int i = 0; i < prompts.size(); i++) {
                GenerationResult alone = generator.generate(prompts.get(i), greedy);
                assertArrayEquals(alone.tokens(), batch.get(i).tokens(), "prompt " + i + " in a left-padded batch vs alone on " + backend().name());
                assertArrayEquals(alone.logProbs(), batch.get(i).logProbs(), (float) TOL);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("families")
    void sampledRowsDoNotDependOnCompanionsAndCarryTheLogProbsScoringGives(GptConfig config) {
        int[] prompt = {3, 1, 4};
        GenerationConfig sampling = GenerationConfig.sampling(0.9, 6).toBuilder().seed(21).build();
        try (Gpt model = new Gpt(config, backend(), 12); Generator generator = new Generator(model); TensorScope ignored = TensorScope.open()) {
            GenerationResult alone = generator.generate(prompt, sampling);
            List<GenerationResult> batch = generator.generate(List.of(prompt, new int[] {7}, new int[] {2, 2, 2, 2, 2, 2}), sampling, null);
            assertArrayEquals(alone.tokens(), batch.get(0).tokens(), "sampled tokens with and without companions on " + backend().name());
            assertArrayEquals(alone.logProbs(), batch.get(0).logProbs(), (float) TOL);
            RolloutBatch rollout = RolloutBatch.of(batch, EOS);
            float[] scored = TokenLogProbs.score(model, rollout.ids(tensors()), rollout.attentionMask(tensors()), 0.9).perToken().toFloatArray();
            float[] sampled = rollout.logProbs(tensors()).toFloatArray();
            float[] response = rollout.responseMask(tensors()).toFloatArray();
            for (int i = 0; i < scored.length; i++) {
                if (response[i] == 1) {
                    assertEquals(sampled[i], scored[i], TOL, "row " + i / rollout.length() + ", token " + i % rollout.length());
                }
            }
        }
    }
}
