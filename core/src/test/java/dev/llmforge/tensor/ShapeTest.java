package dev.llmforge.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.autograd.Ops;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShapeTest {
    @Test
    void broadcastsNumPyStyle() {
        assertEquals(Shape.of(4, 2, 3), Shape.broadcast("add", Shape.of(2, 1), Shape.of(4, 1, 3)));
        assertEquals(Shape.of(2, 3), Shape.broadcast("add", Shape.scalar(), Shape.of(2, 3)));
        assertEquals(Shape.of(0, 3), Shape.broadcast("add", Shape.of(0, 1), Shape.of(3)));
    }

    @Test
    void broadcastErrorNamesBothShapes() {
        var e = assertThrows(IllegalArgumentException.class, () -> Shape.broadcast("add", Shape.of(2, 3), Shape.of(4)));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4]"), e.getMessage());
    }

    @Test
    void negativeAxesCountFromTheEnd() {
        Shape s = Shape.of(2, 3, 5);
        assertEquals(5, s.dim(-1));
        assertEquals(0, s.axis(-3));
        assertThrows(IllegalArgumentException.class, () -> s.axis(3));
    }

    @Test
    void infersOneMinusOne() {
        assertEquals(Shape.of(6, 5), Ops.inferShape(Shape.of(2, 3, 5), new int[] {-1, 5}));
        assertThrows(IllegalArgumentException.class, () -> Ops.inferShape(Shape.of(2, 3, 5), new int[] {-1, 4}));
        assertThrows(IllegalArgumentException.class, () -> Ops.inferShape(Shape.of(2, 3, 5), new int[] {-1, -1}));
    }

    @Test
    void reductionsKeepOrDropTheReducedDims() {
        Shape in = Shape.of(2, 3, 4);
        assertEquals(Shape.of(2, 1, 4), Shape.reduced(in, new int[] {1}, true));
        assertEquals(Shape.of(2, 4), Shape.reduced(in, new int[] {1}, false));
        assertEquals(Shape.of(3), Shape.reduced(in, new int[] {0, 2}, false));
        assertEquals(Shape.of(1, 1, 1), Shape.reduced(in, new int[] {0, 1, 2}, true));
        assertEquals(Shape.scalar(), Shape.reduced(in, new int[] {0, 1, 2}, false));
        assertEquals(in, Shape.reduced(in, new int[0], false));
        var outOfRange = assertThrows(IllegalArgumentException.class, () -> Shape.reduced(in, new int[] {3}, true));
        assertTrue(outOfRange.getMessage().contains("[2, 3, 4]") && outOfRange.getMessage().contains("axis 3 is out of range"),
                outOfRange.getMessage());
        var repeated = assertThrows(IllegalArgumentException.class, () -> Shape.reduced(in, new int[] {1, 1}, false));
        assertTrue(repeated.getMessage().contains("axis 1 is repeated"), repeated.getMessage());
    }

    @Test
    void gatherPutsTheIndexShapeInPlaceOfTheAxis() {
        assertEquals(Shape.of(2, 5, 6, 4), Shape.gathered(Shape.of(2, 3, 4), 1, Shape.of(5, 6)));
        assertEquals(Shape.of(8, 64, 128), Shape.gathered(Shape.of(65, 128), 0, Shape.of(8, 64))); // an embedding lookup
        assertEquals(Shape.of(2, 4), Shape.gathered(Shape.of(2, 3, 4), 1, Shape.scalar()));
        var e = assertThrows(IllegalArgumentException.class, () -> Shape.gathered(Shape.of(2, 3), 2, Shape.of(1)));
        assertTrue(e.getMessage().contains("axis 2") && e.getMessage().contains("[2, 3]"), e.getMessage());
    }

    @Test
    void permutationReordersDims() {
        assertEquals(Shape.of(4, 2, 3), Shape.permuted(Shape.of(2, 3, 4), new int[] {2, 0, 1}));
        assertEquals(Shape.scalar(), Shape.permuted(Shape.scalar(), new int[0]));
        for (int[] bad : new int[][] {{0, 0, 1}, {0, 1}, {0, 1, 3}, {0, 1, 2, 3}}) {
            var e = assertThrows(IllegalArgumentException.class, () -> Shape.permuted(Shape.of(2, 3, 4), bad));
            assertTrue(e.getMessage().contains("not a permutation") && e.getMessage().contains("[2, 3, 4]"), e.getMessage());
        }
    }

    @Test
    void concatenationAddsUpTheAxis() {
        assertEquals(Shape.of(2, 7), Shape.concatenated(List.of(Shape.of(2, 3), Shape.of(2, 0), Shape.of(2, 4)), 1));
        assertEquals(Shape.of(5, 3), Shape.concatenated(List.of(Shape.of(2, 3), Shape.of(3, 3)), -2));
        var dims = assertThrows(IllegalArgumentException.class, () -> Shape.concatenated(List.of(Shape.of(2, 3), Shape.of(3, 4)), 1));
        assertTrue(dims.getMessage().contains("[2, 3]") && dims.getMessage().contains("[3, 4]") && dims.getMessage().contains("dimension 0"),
                dims.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Shape.concatenated(List.of(Shape.of(2, 3), Shape.of(2, 3, 1)), 0));
        assertThrows(IllegalArgumentException.class, () -> Shape.concatenated(List.of(), 0));
    }

    @Test
    void matmulShapesTransposeAndBroadcast() {
        assertEquals(Shape.of(3, 5), Shape.matmul(Shape.of(3, 4), Shape.of(4, 5), false, false));
        assertEquals(Shape.of(3, 5), Shape.matmul(Shape.of(4, 3), Shape.of(5, 4), true, true));
        assertEquals(Shape.of(6, 2, 3, 5), Shape.matmul(Shape.of(2, 3, 4), Shape.of(6, 1, 4, 5), false, false));
        assertEquals(Shape.of(12, 4, 64, 64), Shape.matmul(Shape.of(12, 4, 64, 32), Shape.of(12, 4, 64, 32), false, true)); // q k^T
        var inner = assertThrows(IllegalArgumentException.class, () -> Shape.matmul(Shape.of(3, 4), Shape.of(5, 6), false, false));
        assertTrue(inner.getMessage().contains("inner dimensions differ") && inner.getMessage().contains("[3, 4]")
                && inner.getMessage().contains("[5, 6]"), inner.getMessage());
        var batch = assertThrows(IllegalArgumentException.class, () -> Shape.matmul(Shape.of(2, 3, 4), Shape.of(3, 4, 5), false, false));
        assertTrue(batch.getMessage().contains("[2, 3, 4] @ [3, 4, 5]"), batch.getMessage());
        var rank = assertThrows(IllegalArgumentException.class, () -> Shape.matmul(Shape.of(4), Shape.of(4, 5), false, false));
        assertTrue(rank.getMessage().contains("rank >= 2"), rank.getMessage());
    }

    @Test
    void rejectsNegativeDims() {
        assertThrows(IllegalArgumentException.class, () -> Shape.of(2, -1));
    }

    @Test
    void halfFloatsRoundTrip() {
        for (float f : new float[] {0f, 1f, -2.5f, 65504f, 6.1035156e-5f, 5.9604645e-8f, 0.1f}) {
            float back = HalfFloats.f16ToFloat(HalfFloats.floatToF16(f));
            assertEquals(f, back, Math.abs(f) * 1e-3 + 1e-8, "f16 " + f);
            float bb = HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(f));
            assertEquals(f, bb, Math.abs(f) * 1e-2 + 1e-38, "bf16 " + f);
        }
        assertEquals(Float.POSITIVE_INFINITY, HalfFloats.f16ToFloat(HalfFloats.floatToF16(1e6f)));
        assertEquals(1.0009765625f, HalfFloats.f16ToFloat(HalfFloats.floatToF16(1.0009765625f)));
    }
}
