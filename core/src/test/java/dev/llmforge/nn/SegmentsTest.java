package dev.llmforge.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import org.junit.jupiter.api.Test;

class SegmentsTest {
    private static final float X = Float.NEGATIVE_INFINITY;

    @Test
    void positionsRestartAtEveryRecordAndTheMaskIsBlockDiagonalCausal() {
        // one row: record 1 of 3 tokens, record 2 of 2, then 1 padding
        Segments s = Segments.of(new long[] {1, 1, 1, 2, 2, 0}, 1, 6);
        assertArrayEquals(new long[] {0, 1, 2, 0, 1, 0}, s.positions());
        TensorFactory f = Tensor.on(Backends.get("reference"));
        try (TensorScope ignored = TensorScope.open()) {
            TokenLayout layout = TokenLayout.packed(s, f, DType.F32);
            assertArrayEquals(new long[] {0, 1, 2, 0, 1, 0}, layout.positions().toLongArray());
            float[] want = {
                0, X, X, X, X, X,
                0, 0, X, X, X, X,
                0, 0, 0, X, X, X,
                X, X, X, 0, X, X, // the first token of record 2 sees only itself
                X, X, X, 0, 0, X,
                X, X, X, X, X, 0, // padding sees only itself (a finite softmax no real token reads)
            };
            assertArrayEquals(want, layout.mask().toFloatArray());
            assertArrayEquals(new int[] {1, 1, 6, 6}, layout.mask().shape().dims());
        }
    }

    @Test
    void oneRecordPerRowFollowedByPaddingIsPlainCausal() {
        Segments s = Segments.of(new long[] {1, 1, 1, 0, 1, 1, 1, 1}, 2, 4);
        assertTrue(s.isOneRecordPerRow());
        TokenLayout layout = TokenLayout.packed(s, Tensor.on(Backends.get("reference")), DType.F32);
        assertNull(layout.mask());
        assertNull(layout.positions());
        assertFalse(Segments.of(new long[] {0, 1, 1, 1}, 1, 4).isOneRecordPerRow(), "left padding needs the mask");
        assertFalse(Segments.of(new long[] {1, 1, 2, 2}, 1, 4).isOneRecordPerRow());
    }

    @Test
    void badSegmentIdsAreRefusedWithWhereAndWhy() {
        IllegalArgumentException split = assertThrows(IllegalArgumentException.class, () -> Segments.of(new long[] {1, 2, 1, 0}, 1, 4));
        assertTrue(split.getMessage().contains("record 1 of row 0 resumes at position 2"), split.getMessage());
        IllegalArgumentException gap = assertThrows(IllegalArgumentException.class, () -> Segments.of(new long[] {1, 1, 0, 1}, 1, 4));
        assertTrue(gap.getMessage().contains("resumes at position 3 after another record or padding"), gap.getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> Segments.of(new long[] {1, 1, 0, 0}, 2, 2));
        assertTrue(empty.getMessage().contains("row 1 has no record"), empty.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> Segments.of(new long[] {1, -1}, 1, 2));
        assertTrue(negative.getMessage().contains("found -1 at row 0, position 1"), negative.getMessage());
    }
}
