package dev.llmforge.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.spi.Backend;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TensorScopeTest {
    private final Backend backend = Backends.get("reference");
    private final TensorFactory t = Tensor.on(backend);

    @Test
    void closesEverythingMadeInsideUnlessKept() {
        long before = backend.liveTensorCount();
        Tensor kept;
        Tensor dropped;
        try (TensorScope scope = TensorScope.open()) {
            Tensor a = t.of(new float[] {1, 2}, 2);
            dropped = a.add(a);
            kept = scope.keep(a.mul(a));
        }
        assertTrue(dropped.isClosed());
        assertFalse(kept.isClosed());
        assertArrayEquals(new float[] {1, 4}, kept.toFloatArray());
        kept.close();
        assertEquals(before, backend.liveTensorCount());
    }

    @Test
    void useAfterCloseSaysWhy() {
        Tensor a;
        try (TensorScope ignored = TensorScope.open()) {
            a = t.of(new float[] {1}, 1);
        }
        var e = assertThrows(IllegalStateException.class, a::toFloatArray);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> a.add(a));
    }

    @Test
    void keptTensorMovesToEnclosingScope() {
        Tensor inner;
        try (TensorScope outer = TensorScope.open()) {
            try (TensorScope scope = TensorScope.open()) {
                inner = scope.keep(t.scalar(3, DType.F32));
            }
            assertFalse(inner.isClosed());
            assertEquals(1, outer.size());
        }
        assertTrue(inner.isClosed());
    }

    @Test
    void mustCloseInReverseOrder() {
        TensorScope outer = TensorScope.open();
        TensorScope inner = TensorScope.open();
        assertThrows(IllegalStateException.class, outer::close);
        inner.close();
        outer.close();
    }

    @Test
    void isThreadConfined() throws Exception {
        try (TensorScope scope = TensorScope.open()) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread other = new Thread(() -> {
                try {
                    scope.close();
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            other.start();
            other.join();
            assertTrue(failure.get() instanceof IllegalStateException, String.valueOf(failure.get()));
        }
    }

    @Test
    void detachedViewDiesWithItsOwner() {
        Tensor a = t.of(new float[] {1, 2}, 2);
        Tensor view = a.detach();
        assertArrayEquals(new float[] {1, 2}, view.toFloatArray());
        a.close();
        assertThrows(IllegalStateException.class, view::toFloatArray);
    }

    @Test
    void fromBufferChecksTheByteCount() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> t.fromBuffer(java.nio.ByteBuffer.allocate(7), Shape.of(2), DType.F32));
        assertTrue(e.getMessage().contains("8") && e.getMessage().contains("7"), e.getMessage());
    }
}
