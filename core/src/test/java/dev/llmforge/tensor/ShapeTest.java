package dev.llmforge.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.autograd.Ops;
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
