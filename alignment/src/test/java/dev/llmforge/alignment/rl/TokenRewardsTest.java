package dev.llmforge.alignment.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.generate.GenerationResult;
import dev.llmforge.generate.RolloutBatch;
import dev.llmforge.generate.StopReason;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenRewardsTest {
    static final int EOS = 0;
    static final TensorFactory TENSORS = Tensor.on(Backends.get("reference"));

    /**
     * Two rows padded with the EOS id (PAD == EOS): row 0 ended with EOS, row 1 is shorter and right-padded by
     * EOS ids after its own EOS. The score goes to each row's last response token — its real EOS — never to the
     * padding after it, which looks the same by id.
     */
    @Test
    void theScoreIsCreditedToTheLastResponseTokenNotToPaddingAfterTheEos() {
        GenerationResult long_ = new GenerationResult(new int[] {5, 6}, new int[] {7, 8, 9}, EOS, new float[] {-1, -1, -1, -1}, null,
                StopReason.STOP_TOKEN);
        GenerationResult short_ = new GenerationResult(new int[] {5}, new int[] {7}, EOS, new float[] {-1, -1}, null, StopReason.STOP_TOKEN);
        RolloutBatch b = RolloutBatch.of(List.of(long_, short_), EOS);
        int t = b.length(); // 2 prompt columns + 4 completion columns
        assertEquals(6, t);
        long[] ids = b.ids(TENSORS).toLongArray();
        assertEquals(EOS, ids[t + 4], "row 1's padding after its EOS is the EOS id");
        float[] mask = b.responseMask(TENSORS).toFloatArray();
        float[] kl = new float[2 * t];
        float[] rewards = PpoObjective.tokenRewards(new double[] {3.0, 5.0}, kl, mask, t, 0.05);
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 3, 0, 0, 0, 5, 0, 0}, rewards, 0f);
    }

    @Test
    void everyResponseTokenPaysTheKlPenalty() {
        float[] mask = {0, 1, 1, 1};
        float[] kl = {9, 0.5f, -0.2f, 1};
        float[] rewards = PpoObjective.tokenRewards(new double[] {2.0}, kl, mask, 4, 0.1);
        assertArrayEquals(new float[] {0, -0.05f, 0.02f, -0.1f + 2}, rewards, 1e-6f);
    }

    @Test
    void k3IsNeverNegativeAndK1IsZeroWhereThePoliciesAgree() {
        java.util.Random random = new java.util.Random(3);
        for (int i = 0; i < 10_000; i++) {
            double logp = -10 * random.nextDouble();
            double ref = -10 * random.nextDouble();
            assertTrue(KlEstimator.K3.of(logp, ref) >= 0, "k3 at " + logp + ", " + ref);
            assertEquals(-(ref - logp), KlEstimator.K1.of(logp, ref), 1e-12);
        }
        assertEquals(0, KlEstimator.K1.of(-2.5, -2.5), 0.0);
        assertEquals(0, KlEstimator.K3.of(-2.5, -2.5), 0.0);
    }

    @Test
    void theTensorKlMatchesTheHostEstimate() {
        float[] logp = {-1.5f, -0.2f, -3f};
        float[] ref = {-0.5f, -2.2f, -3f};
        for (KlEstimator e : KlEstimator.values()) {
            float[] onDevice = PolicyGradient.kl(e, TENSORS.of(logp, 1, 3), TENSORS.of(ref, 1, 3)).toFloatArray();
            for (int i = 0; i < 3; i++) {
                assertEquals(e.of(logp[i], ref[i]), onDevice[i], 1e-6, e + " at " + i);
            }
        }
    }
}
