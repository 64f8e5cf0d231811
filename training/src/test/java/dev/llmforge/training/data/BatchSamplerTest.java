package dev.llmforge.training.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchSamplerTest {
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
        BatchSampler s = new BatchSampler(counting(1000), 4, 8, new Rng(1));
        Batch b = s.next();
        for (int i = 0; i < b.inputs().length; i++) {
            assertEquals(b.inputs()[i] + 1, b.targets()[i]);
        }
        for (int row = 0; row < 4; row++) {
            for (int t = 1; t < 8; t++) {
                assertEquals(b.inputs()[row * 8] + t, b.inputs()[row * 8 + t]);
            }
        }
    }

    @Test
    void savedRngStateResumesTheSameSequence() throws Exception {
        TokenDataset d = counting(500);
        BatchSampler a = new BatchSampler(d, 2, 4, new Rng(7));
        a.next();
        long state = a.rng().state();
        Batch expected = a.next();
        Rng restored = new Rng(0);
        restored.setState(state);
        Batch resumed = new BatchSampler(d, 2, 4, restored).next();
        assertArrayEquals(expected.inputs(), resumed.inputs());
    }

    @Test
    void windowsCoverTheWholeRangeUniformly() throws Exception {
        TokenDataset d = counting(20);
        BatchSampler s = new BatchSampler(d, 1, 4, new Rng(3));
        int[] hits = new int[16];
        for (int i = 0; i < 16000; i++) {
            hits[(int) s.next().inputs()[0]]++;
        }
        for (int h : hits) {
            // 1000 expected per start; 6 standard deviations is about 190
            assertEquals(1000, h, 190);
        }
    }

    @Test
    void rejectsDatasetsShorterThanABlock() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> new BatchSampler(counting(8), 1, 8, new Rng(1)));
    }
}
