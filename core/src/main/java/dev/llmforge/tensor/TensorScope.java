package dev.llmforge.tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * A thread-confined arena for tensors. Every tensor created on this thread while the scope is
 * the innermost open one is closed when the scope closes, unless it was {@link #keep kept}.
 * Scopes nest and must be closed in reverse order of opening, on the thread that opened them.
 *
 * <pre>{@code
 * try (TensorScope scope = TensorScope.open()) {
 *     Tensor loss = model.loss(x, y);
 *     loss.backward();
 *     return scope.keep(loss);   // survives; everything else made here is freed
 * }
 * }</pre>
 */
public final class TensorScope implements AutoCloseable {
    private static final ThreadLocal<TensorScope> CURRENT = new ThreadLocal<>();

    private final TensorScope parent;
    private final Thread owner;
    private final List<Tensor> tensors = new ArrayList<>();
    private boolean closed;

    private TensorScope(TensorScope parent) {
        this.parent = parent;
        this.owner = Thread.currentThread();
    }

    /** Opens a scope nested in the current one (if any) on this thread. */
    public static TensorScope open() {
        TensorScope scope = new TensorScope(CURRENT.get());
        CURRENT.set(scope);
        return scope;
    }

    /** The innermost open scope on this thread, or null. */
    public static TensorScope current() {
        return CURRENT.get();
    }

    static void register(Tensor tensor) {
        TensorScope scope = CURRENT.get();
        if (scope != null) {
            scope.tensors.add(tensor);
            tensor.setScope(scope);
        }
    }

    /**
     * Moves {@code tensor} out of this scope into the enclosing one; with no enclosing scope the
     * caller owns it and must close it. Returns the tensor.
     */
    public Tensor keep(Tensor tensor) {
        checkOwner("keep");
        if (tensor.scope() != this) {
            throw new IllegalArgumentException("keep: tensor " + tensor.describe() + " does not belong to this scope");
        }
        if (parent != null) {
            parent.tensors.add(tensor);
            tensor.setScope(parent);
        } else {
            tensor.setScope(null);
        }
        return tensor;
    }

    /** {@link #keep(Tensor)} for several tensors. */
    public void keep(Tensor... tensors) {
        for (Tensor t : tensors) {
            keep(t);
        }
    }

    /** Number of tensors this scope will close. */
    public int size() {
        int n = 0;
        for (Tensor t : tensors) {
            if (t.scope() == this && !t.isClosed()) {
                n++;
            }
        }
        return n;
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        checkOwner("close");
        if (CURRENT.get() != this) {
            throw new IllegalStateException("TensorScope closed out of order: an inner scope opened after it is still open");
        }
        closed = true;
        CURRENT.set(parent);
        RuntimeException failure = null;
        for (Tensor t : tensors) {
            if (t.scope() == this) {
                try {
                    t.close();
                } catch (RuntimeException e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
        }
        tensors.clear();
        if (failure != null) {
            throw failure;
        }
    }

    private void checkOwner(String what) {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("TensorScope." + what + " called on thread " + Thread.currentThread().getName()
                    + " but the scope belongs to thread " + owner.getName());
        }
    }
}
