package dev.llmforge.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * The golden AdamW comparison holds the key bias of c_attn (zero true gradient) to the round-off
 * bound and everything else to the float tolerance: the deviation a fixture of another seed and
 * shape showed on every backend (2-3e-4 in the key bias) passes, the same deviation anywhere else fails.
 */
class AdamWGoldenToleranceTest {
    private static final int C = 4;
    private static final double ABS = 1e-4;
    private static final double REL = 1e-3;

    private static float[] pytorch() {
        float[] bias = new float[3 * C];
        for (int i = 0; i < bias.length; i++) {
            bias[i] = 0.01f * (i - 5);
        }
        return bias;
    }

    private static float[] off(float[] want, int at, float by) {
        float[] got = want.clone();
        got[at] += by;
        return got;
    }

    @Test
    void theBoundIsTwiceTheLargestAdamWMoveOverTheSteps() throws Exception {
        var adamw = new ObjectMapper().readTree("{\"lr\": 0.01, \"betas\": [0.9, 0.95], \"steps\": 10}");
        assertEquals(0.2, GoldenGpt2Contract.keyBiasBound(adamw), 1e-12);
        var unbounded = new ObjectMapper().readTree("{\"lr\": 0.01, \"betas\": [0.99, 0.9], \"steps\": 10}");
        assertThrows(IllegalStateException.class, () -> GoldenGpt2Contract.keyBiasBound(unbounded));
    }

    @Test
    void roundOffInTheKeyBiasPassesAndTheSameErrorElsewhereFails() {
        float[] want = pytorch();
        float keyError = 3e-4f;
        GoldenGpt2Contract.assertAfterAdamWClose("h.1.attn.c_attn.bias", want, off(want, C + 2, keyError), C, ABS, REL, 0.2);
        assertThrows(AssertionFailedError.class, () -> GoldenGpt2Contract.assertAfterAdamWClose("h.1.attn.c_attn.bias", want,
                off(want, 1, keyError), C, ABS, REL, 0.2), "the query part keeps the float tolerance");
        assertThrows(AssertionFailedError.class, () -> GoldenGpt2Contract.assertAfterAdamWClose("h.1.attn.c_attn.bias", want,
                off(want, 2 * C + 1, keyError), C, ABS, REL, 0.2), "the value part keeps the float tolerance");
        assertThrows(AssertionFailedError.class, () -> GoldenGpt2Contract.assertAfterAdamWClose("h.1.mlp.c_fc.bias", want,
                off(want, C + 2, keyError), C, ABS, REL, 0.2), "other parameters keep the float tolerance");
        var far = assertThrows(AssertionFailedError.class, () -> GoldenGpt2Contract.assertAfterAdamWClose("h.1.attn.c_attn.bias", want,
                off(want, C, 0.25f), C, ABS, REL, 0.2), "beyond what AdamW can move it");
        assertTrue(far.getMessage().contains("(key part), zero true gradient"), far.getMessage());
    }
}
