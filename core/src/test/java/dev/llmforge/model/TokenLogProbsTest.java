package dev.llmforge.model;

import static dev.llmforge.model.TinyModels.reference;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Per-token log-probabilities and entropies against the same quantities computed in double on the host from the model's logits. */
class TokenLogProbsTest {
    private Gpt model;
    private TensorScope scope;
    private final TensorFactory f = Tensor.on(reference());

    @BeforeEach
    void build() {
        model = new Gpt(TinyModels.gpt2().toBuilder().initStd(0.4).build(), reference(), 8);
        model.eval();
        scope = TensorScope.open();
    }

    @AfterEach
    void close() {
        scope.close();
        model.close();
    }

    /** log softmax(row / temperature) in double. */
    private static double[] logSoftmax(float[] logits, int offset, int v, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < v; i++) {
            max = Math.max(max, logits[offset + i] / temperature);
        }
        double sum = 0;
        for (int i = 0; i < v; i++) {
            sum += Math.exp(logits[offset + i] / temperature - max);
        }
        double[] out = new double[v];
        for (int i = 0; i < v; i++) {
            out[i] = logits[offset + i] / temperature - max - Math.log(sum);
        }
        return out;
    }

    @Test
    void perTokenAndEntropyAreThoseOfTheNextTokenDistributionAtTheTemperature() {
        long[] ids = {1, 5, 2, 9, 9, 3, 0, 4};
        Tensor x = f.of(ids, 2, 4);
        float[] logits = model.logits(x).toFloatArray();
        int v = model.config().vocabSize();
        for (double temperature : new double[] {1, 0.7}) {
            TokenLogProbs lp = TokenLogProbs.score(model, x, null, temperature);
            assertEquals(Shape.of(2, 4), lp.perToken().shape());
            float[] got = lp.perToken().toFloatArray();
            float[] entropy = lp.entropy().toFloatArray();
            for (int b = 0; b < 2; b++) {
                assertEquals(0, got[b * 4], "no prediction for token 0");
                assertEquals(0, entropy[b * 4]);
                for (int t = 1; t < 4; t++) {
                    double[] logp = logSoftmax(logits, (b * 4 + t - 1) * v, v, temperature);
                    assertEquals(logp[(int) ids[b * 4 + t]], got[b * 4 + t], 1e-5, "row " + b + " token " + t);
                    double h = 0;
                    for (double l : logp) {
                        h -= Math.exp(l) * l;
                    }
                    assertEquals(h, entropy[b * 4 + t], 1e-5, "entropy before token " + t);
                }
            }
            Tensor response = f.of(new float[] {0, 0, 1, 1, 0, 1, 1, 0}, 2, 4);
            float[] sum = lp.sum(response).toFloatArray();
            float[] mean = lp.mean(response).toFloatArray();
            assertEquals(got[2] + got[3], sum[0], 1e-5);
            assertEquals(got[5] + got[6], sum[1], 1e-5);
            assertEquals((got[2] + got[3]) / 2, mean[0], 1e-5);
        }
    }

    @Test
    void aContinuationScoresTheSameWhateverThePaddingAndTheOtherRows() {
        long pad = 0;
        // prompt 3 1 4 + response 1 5, alone
        Tensor alone = f.of(new long[] {3, 1, 4, 1, 5}, 1, 5);
        Tensor aloneResponse = f.of(new float[] {0, 0, 0, 1, 1}, 1, 5);
        TokenLogProbs a = TokenLogProbs.score(model, alone, null, 1);
        double want = a.sum(aloneResponse).item();
        double wantMean = a.mean(aloneResponse).item();
        // left-padded by 2, with a longer companion row
        Tensor left = f.of(new long[] {pad, pad, 3, 1, 4, 1, 5, 2, 7, 7, 7, 1, 2, 3}, 2, 7);
        Tensor leftMask = f.of(new float[] {0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 2, 7);
        Tensor leftResponse = f.of(new float[] {0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1}, 2, 7);
        TokenLogProbs l = TokenLogProbs.score(model, left, leftMask, 1);
        // right-padded by 3 (padding id = EOS-like 10), with another companion
        Tensor right = f.of(new long[] {3, 1, 4, 1, 5, 10, 10, 10, 6, 6, 6, 6, 6, 6, 6, 6}, 2, 8);
        Tensor rightMask = f.of(new float[] {1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1}, 2, 8);
        Tensor rightResponse = f.of(new float[] {0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1}, 2, 8);
        TokenLogProbs r = TokenLogProbs.score(model, right, rightMask, 1);
        assertEquals(want, l.sum(leftResponse).toFloatArray()[0], 1e-5, "left padding");
        assertEquals(want, r.sum(rightResponse).toFloatArray()[0], 1e-5, "right padding");
        assertEquals(wantMean, l.mean(leftResponse).toFloatArray()[0], 1e-5);
        assertEquals(wantMean, r.mean(rightResponse).toFloatArray()[0], 1e-5);
    }

    @Test
    void gradientsReachTheParametersThroughTheSelectedTokensOnly() {
        Tensor ids = f.of(new long[] {3, 1, 4, 1, 5}, 1, 5);
        TokenLogProbs.score(model, ids, null, 1).sum(f.of(new float[] {0, 0, 0, 1, 1}, 1, 5)).sum().backward();
        float[] wte = model.parameter("wte.weight").grad().toFloatArray();
        assertTrue(Arrays.stream(toDouble(wte)).anyMatch(g -> g != 0), "the log-probability depends on the embeddings");
        model.zeroGrad();
        // a mask that selects nothing gives no gradient at all
        TokenLogProbs.score(model, ids, null, 1).sum(f.zeros(Shape.of(1, 5), DType.F32)).sum().backward();
        assertArrayEquals(new double[wte.length], toDouble(model.parameter("wte.weight").grad().toFloatArray()), 0);
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    @Test
    void masksThatCannotBeMeantAreRejected() {
        TokenLogProbs lp = TokenLogProbs.score(model, f.of(new long[] {1, 2, 3, 4}, 2, 2), null, 1);
        var first = assertThrows(IllegalArgumentException.class, () -> lp.sum(f.of(new float[] {0, 1, 1, 1}, 2, 2)));
        assertTrue(first.getMessage().contains("token 0 of row 1"), first.getMessage());
        var empty = assertThrows(IllegalArgumentException.class, () -> lp.mean(f.of(new float[] {0, 1, 0, 0}, 2, 2)));
        assertTrue(empty.getMessage().contains("row 1 selects nothing"), empty.getMessage());
        var shape = assertThrows(IllegalArgumentException.class, () -> lp.sum(f.of(new float[] {0, 1}, 1, 2)));
        assertTrue(shape.getMessage().contains("[1, 2]") && shape.getMessage().contains("[2, 2]"), shape.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TokenLogProbs.score(model, f.of(new long[] {1, 2}, 1, 2), null, 0));
    }
}
