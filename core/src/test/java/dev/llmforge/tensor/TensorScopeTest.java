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
    void closingOutOfOrderClosesTheInnerScopesAndLeavesTheThreadAsBefore() {
        TensorScope before = TensorScope.current();
        TensorScope outer = TensorScope.open();
        Tensor a = t.scalar(1, DType.F32);
        TensorScope inner = TensorScope.open();
        Tensor b = t.scalar(2, DType.F32);
        var e = assertThrows(IllegalStateException.class, outer::close);
        assertTrue(e.getMessage().contains("closed out of order: 1 inner scope(s)"), e.getMessage());
        assertTrue(inner.isClosed() && outer.isClosed(), "both closed");
        assertTrue(a.isClosed() && b.isClosed(), "with their tensors");
        assertEquals(before, TensorScope.current(), "the scope current before the outer one is current again, not the inner one");
        inner.close(); // a later close in reverse order does nothing
        Tensor c = t.scalar(3, DType.F32);
        assertEquals(before, c.scope(), "new tensors no longer join the closed inner scope");
        c.close();
    }

    @Test
    void aWorkerThatJoinsTheScopeMakesTensorsItCloses() throws Exception {
        long live = backend.liveTensorCount();
        Tensor made;
        AtomicReference<Tensor> byWorker = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (TensorScope scope = TensorScope.open()) {
            made = t.scalar(1, DType.F32);
            Thread worker = new Thread(() -> {
                try (TensorScope.Joined ignored = scope.join()) {
                    byWorker.set(t.of(new float[] {1, 2, 3}, 3).add(t.scalar(1, DType.F32)));
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            worker.start();
            worker.join();
            assertEquals(null, failure.get());
            assertEquals(4, scope.size(), "the worker's three tensors joined the scope");
        }
        assertTrue(made.isClosed() && byWorker.get().isClosed());
        assertEquals(live, backend.liveTensorCount(), "nothing made on the worker leaked");
    }

    @Test
    void aScopeCannotCloseWhileAWorkerIsJoined() throws Exception {
        TensorScope scope = TensorScope.open();
        java.util.concurrent.CountDownLatch joined = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch finish = new java.util.concurrent.CountDownLatch(1);
        Thread worker = new Thread(() -> {
            try (TensorScope.Joined ignored = scope.join()) {
                joined.countDown();
                finish.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        worker.start();
        joined.await();
        var e = assertThrows(IllegalStateException.class, scope::close);
        assertTrue(e.getMessage().contains("1 joined thread(s)"), e.getMessage());
        finish.countDown();
        worker.join();
        scope.close();
        assertThrows(IllegalStateException.class, scope::join);
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
