package dev.llmforge.training.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WindowSourceTest {
    @TempDir
    Path dir;

    private TokenDataset counting(int n) throws Exception {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i;
        }
        Path p = dir.resolve("data.bin");
        TokenDataset.write(p, ids, TokenWidth.UINT32);
        return TokenDataset.open(p, TokenWidth.UINT32);
    }

    @Test
    void targetsAreInputsShiftedByOne() throws Exception {
        WindowSource s = new WindowSource(counting(1000), 4, 8, new Rng(1));
        Batch b = s.next();
        for (int i = 0; i < b.longs(Batch.IDS).length; i++) {
            assertEquals(b.longs(Batch.IDS)[i] + 1, b.longs(Batch.TARGETS)[i]);
        }
        for (int row = 0; row < 4; row++) {
            for (int t = 1; t < 8; t++) {
                assertEquals(b.longs(Batch.IDS)[row * 8] + t, b.longs(Batch.IDS)[row * 8 + t]);
            }
        }
    }

    @Test
    void aRestoredStateResumesTheSameSequence() throws Exception {
        TokenDataset d = counting(500);
        WindowSource a = new WindowSource(d, 2, 4, new Rng(7));
        a.next();
        Map<String, Long> state = a.state();
        Batch expected = a.next();
        WindowSource restored = new WindowSource(d, 2, 4, new Rng(0));
        restored.restore(state);
        assertArrayEquals(expected.longs(Batch.IDS), restored.next().longs(Batch.IDS));
        assertEquals(2 * 4, expected.tokens());
        var missing = assertThrows(IllegalArgumentException.class, () -> restored.restore(Map.of()));
        assertTrue(missing.getMessage().contains("has no 'rng'"), missing.getMessage());
    }

    @Test
    void windowsCoverTheWholeRangeUniformly() throws Exception {
        TokenDataset d = counting(20);
        WindowSource s = new WindowSource(d, 1, 4, new Rng(3));
        int[] hits = new int[16];
        for (int i = 0; i < 16000; i++) {
            hits[(int) s.next().longs(Batch.IDS)[0]]++;
        }
        for (int h : hits) {
            // 1000 expected per start; 6 standard deviations is about 190
            assertEquals(1000, h, 190);
        }
    }

    @Test
    void rejectsDatasetsShorterThanABlock() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> new WindowSource(counting(8), 1, 8, new Rng(1)));
    }
}
