package dev.llmforge.training.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.training.data.PaddedRecordSource.Record;
import dev.llmforge.training.data.PaddedRecordSource.Side;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PaddedRecordSourceTest {
    /** Records 0..n-1: record i has i % 4 + 1 tokens, each 10·i + position, the first token not a target. */
    static List<Record> records(int n) {
        List<Record> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = i % 4 + 1;
            long[] ids = new long[len];
            boolean[] mask = new boolean[len];
            for (int p = 0; p < len; p++) {
                ids[p] = 10L * i + p;
                mask[p] = p > 0;
            }
            out.add(new Record(ids, mask));
        }
        return out;
    }

    @Test
    void rightPaddingPutsTokensFirstAndMarksThemByPosition() {
        Batch b = PaddedRecordSource.builder(records(4)).batchSize(2).length(5).padId(1).build().next();
        assertArrayEquals(new int[] {2, 5}, b.shape(Batch.IDS));
        // record 0 is [0], record 1 is [10, 11]
        assertArrayEquals(new long[] {0, 1, 1, 1, 1, 10, 11, 1, 1, 1}, b.longs(Batch.IDS));
        assertArrayEquals(new long[] {1, 0, 0, 0, 0, 1, 1, 0, 0, 0}, b.longs(Batch.ATTENTION_MASK));
        assertArrayEquals(new long[] {0, 0, 0, 0, 0, 0, 1, 0, 0, 0}, b.longs(Batch.LOSS_MASK));
        assertEquals(3, b.tokens(), "real tokens only");
    }

    @Test
    void packingPutsWholeRecordsInOrderIntoRowsAndNumbersThem() {
        // records: [0], [10 11], [20 21 22], [30 31 32 33]; rows of 5
        PaddedRecordSource s = PaddedRecordSource.builder(records(4)).batchSize(2).length(5).padId(1).packing(true).build();
        Batch first = s.next();
        assertArrayEquals(new long[] {0, 10, 11, 1, 1, 20, 21, 22, 1, 1}, first.longs(Batch.IDS), "[20 21 22] does not fit after 3 tokens");
        assertArrayEquals(new long[] {1, 2, 2, 0, 0, 1, 1, 1, 0, 0}, first.longs(Batch.SEGMENT_IDS));
        assertArrayEquals(new long[] {0, 0, 1, 0, 0, 0, 1, 1, 0, 0}, first.longs(Batch.LOSS_MASK));
        assertEquals(6, first.tokens());
        assertTrue(!first.names().contains(Batch.ATTENTION_MASK), "a packed batch has no per-row attention mask to misuse");
        Batch second = s.next();
        // [30 31 32 33] then the next epoch's [0] fits the same row
        assertArrayEquals(new long[] {30, 31, 32, 33, 0, 10, 11, 20, 21, 22}, second.longs(Batch.IDS));
        assertArrayEquals(new long[] {1, 1, 1, 1, 2, 1, 1, 2, 2, 2}, second.longs(Batch.SEGMENT_IDS));
        assertEquals(1, s.epoch());
    }

    @Test
    void packedSourcesResumeExactly() {
        PaddedRecordSource a = PaddedRecordSource.builder(records(9)).batchSize(2).length(6).packing(true).shuffle(4).build();
        a.next();
        a.next();
        Map<String, Long> saved = a.state();
        Batch third = a.next();
        PaddedRecordSource b = PaddedRecordSource.builder(records(9)).batchSize(2).length(6).packing(true).shuffle(4).build();
        b.restore(saved);
        Batch resumed = b.next();
        assertArrayEquals(third.longs(Batch.IDS), resumed.longs(Batch.IDS));
        assertArrayEquals(third.longs(Batch.SEGMENT_IDS), resumed.longs(Batch.SEGMENT_IDS));
    }

    @Test
    void epochFillCountsPositionsAndRealTokensPackedAndNot() {
        // unpacked, batches of 2 as long as their longest record: [0],[10 11] -> 2 x 2; [20..],[30..] -> 2 x 4
        PaddedRecordSource.Fill padded = PaddedRecordSource.builder(records(4)).batchSize(2).build().epochFill();
        assertEquals(new PaddedRecordSource.Fill(2, 12, 10), padded);
        assertEquals(2.0 / 12, padded.paddingFraction(), 1e-12);
        // packed into rows of 5: batch 1 holds 6 tokens in 10 positions; batch 2 finishes the epoch (and takes the next one's first records)
        PaddedRecordSource source = PaddedRecordSource.builder(records(4)).batchSize(2).length(5).packing(true).build();
        assertEquals(new PaddedRecordSource.Fill(2, 20, 16), source.epochFill());
        assertEquals(Map.of("epoch", 0L, "position", 0L), source.state(), "counting does not move the source");
    }

    @Test
    void packingNeedsAFixedLengthAndRightPadding() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PaddedRecordSource.builder(records(4)).batchSize(2).packing(true).build());
        assertTrue(e.getMessage().contains("packing needs a fixed row length"), e.getMessage());
    }

    @Test
    void leftPaddingPutsTokensLastAndLongestPaddingFitsTheBatch() {
        Batch b = PaddedRecordSource.builder(records(4)).batchSize(2).padding(Side.LEFT).build().next();
        assertArrayEquals(new int[] {2, 2}, b.shape(Batch.IDS), "the longest record of the batch has 2 tokens");
        assertArrayEquals(new long[] {0, 0, 10, 11}, b.longs(Batch.IDS));
        assertArrayEquals(new long[] {0, 1, 1, 1}, b.longs(Batch.ATTENTION_MASK));
        assertArrayEquals(new long[] {0, 0, 0, 1}, b.longs(Batch.LOSS_MASK));
    }

    @Test
    void everyEpochVisitsEveryRecordOnceInItsOwnShuffledOrder() {
        PaddedRecordSource s = PaddedRecordSource.builder(records(10)).batchSize(5).length(4).shuffle(3).build();
        List<Long> epoch0 = firstIds(s, 2);
        List<Long> epoch1 = firstIds(s, 2);
        Set<Long> all = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            all.add(10L * i);
        }
        assertEquals(all, new HashSet<>(epoch0));
        assertEquals(all, new HashSet<>(epoch1));
        assertNotEquals(epoch0, epoch1, "a new order each epoch");
        assertEquals(1, s.epoch());
        assertEquals(firstIds(PaddedRecordSource.builder(records(10)).batchSize(5).length(4).shuffle(3).build(), 2), epoch0, "seeded");
    }

    /** The first id of each row of the next {@code batches} batches. */
    private static List<Long> firstIds(PaddedRecordSource s, int batches) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < batches; i++) {
            Batch b = s.next();
            int t = b.shape(Batch.IDS)[1];
            for (int r = 0; r < b.rows(); r++) {
                out.add(b.longs(Batch.IDS)[r * t]);
            }
        }
        return out;
    }

    @Test
    void aRestoredStateContinuesExactlyAcrossEpochs() {
        PaddedRecordSource a = PaddedRecordSource.builder(records(7)).batchSize(3).length(4).shuffle(9).build();
        for (int i = 0; i < 4; i++) {
            a.next(); // 12 records: into the second epoch
        }
        Map<String, Long> state = a.state();
        PaddedRecordSource b = PaddedRecordSource.builder(records(7)).batchSize(3).length(4).shuffle(9).build();
        b.restore(state);
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(a.next().longs(Batch.IDS), b.next().longs(Batch.IDS), "batch " + i + " after the restore");
        }
    }

    @Test
    void badRecordsAndSettingsAreRefused() {
        var tooLong = assertThrows(IllegalArgumentException.class, () -> PaddedRecordSource.builder(records(4)).batchSize(2).length(3).build());
        assertEquals("record 3 has 4 tokens, more than the length 3 it is padded to: truncate it first or raise the length", tooLong.getMessage());
        var mask = assertThrows(IllegalArgumentException.class, () -> new Record(new long[] {1, 2}, new boolean[] {true}));
        assertTrue(mask.getMessage().contains("2 tokens, 1 mask values"), mask.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Record(new long[0], new boolean[0]));
        assertThrows(IllegalArgumentException.class, () -> PaddedRecordSource.builder(records(4)).build());
        var state = assertThrows(IllegalArgumentException.class,
                () -> PaddedRecordSource.builder(records(4)).batchSize(2).build().restore(Map.of("epoch", 0L, "position", 9L)));
        assertTrue(state.getMessage().contains("does not fit 4 records"), state.getMessage());
        assertArrayEquals(new boolean[] {true, true}, Record.allTargets(5, 6).lossMask());
    }
}
