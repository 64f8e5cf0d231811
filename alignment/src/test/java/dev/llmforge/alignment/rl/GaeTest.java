package dev.llmforge.alignment.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class GaeTest {
    /** One row: 2 prompt tokens, 3 response tokens, 1 padding; γ = 1, λ = 0.95. */
    @Test
    void advantagesAndReturnsMatchAHandComputation() {
        float[] mask = {0, 0, 1, 1, 1, 0};
        float[] rewards = {0, 0, -0.1f, -0.2f, 2.0f, 0};
        float[] values = {0, 0, 0.5f, 1.0f, 1.5f, 0};
        Gae gae = Gae.of(rewards, values, mask, 1, 6, 1.0, 0.95);
        // by hand, from the last response token back (V after it is 0):
        // δ4 = 2.0 + 0 - 1.5 = 0.5                       A4 = 0.5
        // δ3 = -0.2 + 1.5 - 1.0 = 0.3                    A3 = 0.3 + 0.95 * 0.5 = 0.775
        // δ2 = -0.1 + 1.0 - 0.5 = 0.4                    A2 = 0.4 + 0.95 * 0.775 = 1.13625
        assertArrayEquals(new float[] {0, 0, 1.13625f, 0.775f, 0.5f, 0}, gae.advantages(), 1e-6f);
        // R = A + V
        assertArrayEquals(new float[] {0, 0, 1.63625f, 1.775f, 2.0f, 0}, gae.returns(), 1e-6f);
    }

    @Test
    void withLambdaOneTheAdvantageIsTheRewardToGoMinusTheValue() {
        float[] mask = {0, 1, 1, 1};
        float[] rewards = {0, 1, 2, 3};
        float[] values = {0, 4, 0.5f, -1};
        Gae gae = Gae.of(rewards, values, mask, 1, 4, 1.0, 1.0);
        assertArrayEquals(new float[] {0, 6 - 4, 5 - 0.5f, 3 + 1}, gae.advantages(), 1e-6f);
    }

    @Test
    void whitenedAdvantagesHaveMeanZeroAndUnitVarianceOverTheResponseOnly() {
        float[] mask = {0, 1, 1, 0, 1, 1};
        Gae gae = new Gae(new float[] {9, 1, 2, 9, 3, 6}, new float[6]);
        float[] w = gae.whitened(mask);
        // response values 1, 2, 3, 6: mean 3, sample variance (4 + 1 + 0 + 9) / 3
        double std = Math.sqrt(14.0 / 3);
        assertArrayEquals(new float[] {0, (float) (-2 / std), (float) (-1 / std), 0, 0, (float) (3 / std)}, w, 1e-6f);
        assertEquals(0, w[1] + w[2] + w[4] + w[5], 1e-6);
    }
}
