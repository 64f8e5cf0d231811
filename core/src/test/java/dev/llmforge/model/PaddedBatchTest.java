package dev.llmforge.model;

import static dev.llmforge.model.TinyModels.maxError;
import static dev.llmforge.model.TinyModels.reference;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.autograd.GradMode;
import dev.llmforge.nn.KvCache;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Padded batches on the reference backend: every real token gets the logits it gets in its row
 * alone, whatever the padding side, the amount of padding or the other rows, for learned positions
 * (GPT-2) and RoPE with grouped-query attention (LLaMA).
 */
class PaddedBatchTest {
    private static final float TOL = 2e-5f;
    private static final long PAD = 7; // any id: padding is told by the mask, never by id

    private static GptConfig config(String family) {
        return family.equals("gpt2") ? TinyModels.gpt2().toBuilder().initStd(0.3).build() : TinyModels.llama().toBuilder().initStd(0.3).build();
    }

    /** (T, V) logits of one unpadded row. */
    private static float[] alone(Gpt model, long[] row) {
        return model.logits(Tensor.on(reference()).of(row, 1, row.length)).toFloatArray();
    }

    /** Ids and mask (B, width) of rows padded on the left or right with {@link #PAD}. */
    private static Tensor[] padded(List<long[]> rows, int width, boolean left) {
        long[] ids = new long[rows.size() * width];
        float[] mask = new float[rows.size() * width];
        for (int b = 0; b < rows.size(); b++) {
            long[] row = rows.get(b);
            int offset = left ? width - row.length : 0;
            Arrays.fill(ids, b * width, (b + 1) * width, PAD);
            for (int t = 0; t < row.length; t++) {
                ids[b * width + offset + t] = row[t];
                mask[b * width + offset + t] = 1;
            }
        }
        TensorFactory f = Tensor.on(reference());
        return new Tensor[] {f.of(ids, rows.size(), width), f.of(mask, rows.size(), width)};
    }

    /** The logits rows (T, V) of the real tokens of row b. */
    private static float[] realRows(float[] logits, int b, int width, int vocab, int length, boolean left) {
        int offset = left ? width - length : 0;
        return Arrays.copyOfRange(logits, (b * width + offset) * vocab, (b * width + offset + length) * vocab);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama"})
    void realTokensGetTheirUnpaddedLogitsWhateverThePaddingAndCompanions(String family) {
        GptConfig cfg = config(family);
        int v = cfg.vocabSize();
        List<long[]> rows = List.of(new long[] {1, 2, 3}, new long[] {4, 5, 6, 7, 8, 9}, new long[] {10 % v});
        try (Gpt model = new Gpt(cfg, reference(), 5); TensorScope ignored = TensorScope.open()) {
            model.eval();
            for (boolean left : new boolean[] {true, false}) {
                for (int width : new int[] {6, 8}) {
                    Tensor[] batch = padded(rows, width, left);
                    float[] logits = model.logits(batch[0], batch[1]).toFloatArray();
                    for (int b = 0; b < rows.size(); b++) {
                        float[] want = alone(model, rows.get(b));
                        float[] got = realRows(logits, b, width, v, rows.get(b).length, left);
                        assertTrue(maxError(want, got) < TOL, family + (left ? " left" : " right") + " padding to " + width + ", row " + b
                                + ": " + maxError(want, got));
                    }
                }
            }
        }
    }

    @Test
    void hiddenStatesFeedTheHeadAndHaveTheModelWidth() {
        try (Gpt model = new Gpt(TinyModels.gpt2(), reference(), 2); TensorScope ignored = TensorScope.open()) {
            Tensor[] batch = padded(List.of(new long[] {1, 2}, new long[] {3, 4, 5}), 3, true);
            Tensor hidden = model.hiddenStates(batch[0], batch[1]);
            assertEquals(Shape.of(2, 3, 8), hidden.shape());
            assertEquals(0, maxError(model.logits(batch[0], batch[1]).toFloatArray(), model.logitsOf(hidden).toFloatArray()), 1e-6);
        }
    }

    @Test
    void aPaddedLossEqualsTheLossOverTheRealTargets() {
        try (Gpt model = new Gpt(TinyModels.llama(), reference(), 4); TensorScope ignored = TensorScope.open()) {
            long[] row = {3, 1, 4, 1, 5};
            long[] next = {1, 4, 1, 5, 9};
            double alone = model.loss(TinyModels.ids(1, 5, row), Tensor.on(reference()).of(next, 1, 5)).item();
            // left-padded by 3, padding targets ignored
            Tensor ids = TinyModels.ids(1, 8, PAD, PAD, PAD, 3, 1, 4, 1, 5);
            Tensor mask = Tensor.on(reference()).of(new float[] {0, 0, 0, 1, 1, 1, 1, 1}, 1, 8);
            Tensor targets = Tensor.on(reference()).of(new long[] {-100, -100, -100, 1, 4, 1, 5, 9}, 1, 8);
            assertEquals(alone, model.forward(ids, mask, targets, -100).loss().item(), 1e-5);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama"})
    void aLeftPaddedPrefillThenDecodeStepsContinueEachRowAsAlone(String family) {
        GptConfig cfg = config(family);
        List<long[]> prompts = List.of(new long[] {1, 2}, new long[] {3, 4, 5, 6}, new long[] {7, 8, 9});
        long[][] continuation = {{4, 5, 6}, {0, 1, 2}, {9, 9, 1}};
        for (boolean fixedSize : new boolean[] {false, true}) {
            try (Gpt model = new Gpt(cfg, reference(), 6); KvCache cache = fixedSize ? model.newFixedSizeCache() : model.newCache();
                 TensorScope ignored = TensorScope.open(); GradMode.Restore noGrad = GradMode.noGrad()) {
                model.eval();
                Tensor[] batch = padded(prompts, 4, true);
                float[][] steps = new float[4][];
                steps[0] = model.nextTokenLogits(batch[0], batch[1], cache).toFloatArray();
                for (int s = 0; s < 3; s++) {
                    long[] ids = {continuation[0][s], continuation[1][s], continuation[2][s]};
                    steps[s + 1] = model.nextTokenLogits(Tensor.on(reference()).of(ids, 3, 1), cache).toFloatArray();
                }
                int v = cfg.vocabSize();
                for (int b = 0; b < prompts.size(); b++) {
                    long[] row = prompts.get(b);
                    for (int s = 0; s <= 3; s++) {
                        long[] context = Arrays.copyOf(row, row.length + s);
                        System.arraycopy(continuation[b], 0, context, row.length, s);
                        float[] all = alone(model, context);
                        float[] want = Arrays.copyOfRange(all, all.length - v, all.length);
                        float[] got = Arrays.copyOfRange(steps[s], b * v, (b + 1) * v);
                        assertTrue(maxError(want, got) < TOL, family + (fixedSize ? " fixed-size" : " growing") + " cache, row " + b + ", step "
                                + s + ": " + maxError(want, got));
                    }
                }
            }
        }
    }

    @Test
    void badMasksAreRejectedWithWhatWasFound() {
        try (Gpt model = new Gpt(TinyModels.gpt2(), reference(), 1); TensorScope ignored = TensorScope.open()) {
            Tensor ids = TinyModels.ids(2, 3, 1, 2, 3, 4, 5, 6);
            TensorFactory f = Tensor.on(reference());
            var shape = assertThrows(IllegalArgumentException.class, () -> model.logits(ids, f.of(new float[] {1, 1, 1}, 1, 3)));
            assertTrue(shape.getMessage().contains("[1, 3]") && shape.getMessage().contains("[2, 3]"), shape.getMessage());
            var value = assertThrows(IllegalArgumentException.class, () -> model.logits(ids, f.of(new float[] {1, 1, 1, 0, 2, 1}, 2, 3)));
            assertTrue(value.getMessage().contains("found 2.0 at row 1, position 1"), value.getMessage());
            var empty = assertThrows(IllegalArgumentException.class, () -> model.logits(ids, f.of(new float[] {1, 1, 1, 0, 0, 0}, 2, 3)));
            assertTrue(empty.getMessage().contains("row 1 has no real token"), empty.getMessage());
        }
    }
}
