package dev.llmforge.alignment.data;

import static dev.llmforge.alignment.PreferenceFixtures.EOS;
import static dev.llmforge.alignment.PreferenceFixtures.TRAIN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.training.data.Batch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PreferenceBatchSourceTest {
    @Test
    void aBatchHoldsWholePromptsChosenRowsThenRejectedRightPaddedWithTheirMasks() {
        List<List<PreferenceExample>> groups = TRAIN.subList(0, 3); // 1 pair (margin 0.5), 1 pair, 3 pairs
        Batch b = PreferenceBatchSource.batchOf(groups, EOS, null);
        List<PreferenceExample> pairs = groups.stream().flatMap(List::stream).toList();
        int t = b.shape(Batch.IDS)[1];
        assertEquals(10, b.rows());
        for (int r = 0; r < 10; r++) {
            MaskedTokens expected = r < 5 ? pairs.get(r).chosenSequence() : pairs.get(r - 5).rejectedSequence();
            for (int i = 0; i < t; i++) {
                boolean real = i < expected.length();
                assertEquals(real ? expected.ids()[i] : EOS, b.longs(Batch.IDS)[r * t + i], "row " + r + " position " + i);
                assertEquals(real ? 1 : 0, b.longs(Batch.ATTENTION_MASK)[r * t + i]);
                assertEquals(real && expected.lossMask()[i] ? 1 : 0, b.longs(Batch.LOSS_MASK)[r * t + i]);
            }
        }
        assertTrue(b.longs(Batch.LOSS_MASK)[0] == 0, "the prompt is not part of the response");
        float third = 1 / 3f;
        float ninth = 1 / 9f;
        assertArrayEquals(new float[] {third, third, ninth, ninth, ninth, third, third, ninth, ninth, ninth}, b.floats(PreferenceBatchSource.PAIR_WEIGHT));
        assertArrayEquals(new float[] {0.5f, 0, 0, 0, 0, 0.5f, 0, 0, 0, 0}, b.floats(PreferenceBatchSource.MARGIN));
    }

    @Test
    void shuffledEpochsKeepEachPromptsPairsTogetherAndResumeWhereTheyStopped() {
        PreferenceBatchSource source = PreferenceBatchSource.builder(TRAIN).groupsPerBatch(5).padId(EOS).shuffle(3).build();
        for (int i = 0; i < 12; i++) { // more than one epoch of 48 prompts
            Batch b = source.next();
            int pairs = b.rows() / 2;
            float[] weight = b.floats(PreferenceBatchSource.PAIR_WEIGHT);
            double sum = 0;
            for (int p = 0; p < pairs; p++) {
                sum += weight[p];
            }
            assertEquals(1, sum, 1e-5, "whole prompts: each prompt's pairs weigh 1/5 together");
        }
        Map<String, Long> state = source.state();
        List<long[]> next = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            next.add(source.next().longs(Batch.IDS));
        }
        PreferenceBatchSource resumed = PreferenceBatchSource.builder(TRAIN).groupsPerBatch(5).padId(EOS).shuffle(3).build();
        resumed.restore(state);
        for (long[] ids : next) {
            assertArrayEquals(ids, resumed.next().longs(Batch.IDS));
        }
    }

    @Test
    void referenceLogProbsMustMatchThePromptsAndTheirPairs() {
        PreferenceBatchSource.Builder b = PreferenceBatchSource.builder(TRAIN.subList(0, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.referenceLogProbs(List.<double[][]>of(new double[1][2])));
        assertTrue(e.getMessage().contains("for 1 groups, the source has 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> b.referenceLogProbs(List.<double[][]>of(new double[1][2], new double[1][2], new double[1][2])));
        assertTrue(e.getMessage().contains("group 2 has 3 pairs"), e.getMessage());
        Batch batch = PreferenceBatchSource.batchOf(TRAIN.subList(0, 2), EOS, List.of(new double[][] {{-1, -2}}, new double[][] {{-3, -4}}));
        assertArrayEquals(new float[] {-1, -3, -2, -4}, batch.floats(PreferenceBatchSource.REFERENCE_LOG_PROB));
    }
}
