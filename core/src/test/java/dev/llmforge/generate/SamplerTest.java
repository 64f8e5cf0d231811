package dev.llmforge.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SamplerTest {
    @Test
    void nucleusKeepsTheSmallestSetReachingP() {
        double[] p = {0.1, 0.4, 0.2, 0.3};
        Sampler.nucleus(p, 0.65); // 0.4 + 0.3 = 0.7 >= 0.65
        assertArrayEquals(new double[] {0, 0.4, 0, 0.3}, p);
        double[] q = {0.1, 0.4, 0.2, 0.3};
        Sampler.nucleus(q, 0.7);
        assertArrayEquals(new double[] {0, 0.4, 0, 0.3}, q, "reaching p exactly is enough");
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsOnce() {
        double[] z = {2, -2, 1, 4};
        Sampler.penalise(z, new int[] {0, 1, 0, 9}, 3, 2);
        assertArrayEquals(new double[] {1, -4, 1, 4}, z);
    }

    @Test
    void topKAndTemperatureShapeTheDraws() {
        float[] logits = {0, (float) Math.log(3), 5, -50};
        GenerationConfig cfg = GenerationConfig.builder().temperature(1).topK(3).build();
        Random rng = new Random(1);
        int[] counts = new int[4];
        for (int i = 0; i < 20000; i++) {
            counts[Sampler.next(logits, 0, 4, new int[0], 0, cfg.toBuilder().topK(2).build(), rng).token()]++;
        }
        assertEquals(0, counts[0] + counts[3], "top-2 keeps tokens 2 and 1 only");
        double p1 = 3 / (3 + Math.exp(5));
        assertEquals(p1 * 20000, counts[1], 5 * Math.sqrt(p1 * 20000) + 5);
        assertEquals(2, Sampler.next(logits, 0, 4, new int[0], 0, GenerationConfig.greedy(1), rng).token());
    }

    @Test
    void theLogProbabilityIsThatOfTheDistributionDrawnFrom() {
        float[] logits = {0, (float) Math.log(3), 5, -50};
        Random rng = new Random(2);
        double z = 1 + 3 + Math.exp(5) + Math.exp(-50);
        for (int i = 0; i < 50; i++) {
            Sampler.Choice c = Sampler.next(logits, 0, 4, new int[0], 0, GenerationConfig.builder().temperature(1).build(), rng);
            double[] p = {1 / z, 3 / z, Math.exp(5) / z, Math.exp(-50) / z};
            assertEquals(Math.log(p[c.token()]), c.logProb(), 1e-6, "pure temperature 1: the model's softmax");
        }
        // temperature 2: softmax(logits / 2)
        double z2 = 1 + Math.sqrt(3) + Math.exp(2.5) + Math.exp(-25);
        Sampler.Choice hot = Sampler.next(logits, 0, 4, new int[0], 0, GenerationConfig.builder().temperature(2).build(), rng);
        double[] p2 = {1 / z2, Math.sqrt(3) / z2, Math.exp(2.5) / z2, Math.exp(-25) / z2};
        assertEquals(Math.log(p2[hot.token()]), hot.logProb(), 1e-6);
        // top-2 keeps tokens 1 and 2, renormalised
        Sampler.Choice top2 = Sampler.next(logits, 0, 4, new int[0], 0, GenerationConfig.builder().temperature(1).topK(2).build(), rng);
        double[] pk = {0, 3 / (3 + Math.exp(5)), Math.exp(5) / (3 + Math.exp(5)), 0};
        assertEquals(Math.log(pk[top2.token()]), top2.logProb(), 1e-6);
        // greedy: the argmax, scored by the unscaled softmax
        Sampler.Choice greedy = Sampler.next(logits, 0, 4, new int[0], 0, GenerationConfig.greedy(1), rng);
        assertEquals(2, greedy.token());
        assertEquals(Math.log(Math.exp(5) / z), greedy.logProb(), 1e-6);
    }

    @Test
    void aTemperatureThatWouldDivideLogitsIntoInfinitiesIsRefused() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> GenerationConfig.builder().temperature(1e-320).build());
        assertTrue(e.getMessage().contains("0 (greedy) or at least 1.0E-4"), e.getMessage());
        GenerationConfig.builder().temperature(GenerationConfig.MIN_TEMPERATURE).build();
    }

    @Test
    void nanLogitsAreAnError() {
        float[] logits = {0, Float.NaN};
        assertThrows(IllegalStateException.class, () -> Sampler.next(logits, 0, 2, new int[0], 0, GenerationConfig.greedy(1), new Random()));
    }
}
