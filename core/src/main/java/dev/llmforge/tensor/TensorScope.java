package dev.llmforge.tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * An arena for tensors. Every tensor created on this thread while the scope is the innermost open
 * one is closed when the scope closes, unless it was {@link #keep kept}. Scopes nest and are closed
 * in reverse order of opening, on the thread that opened them; closing an outer scope while inner
 * ones are open closes those too (and reports the misuse). Another thread makes tensors into a
 * scope only by {@link #join joining} it: a tensor made on a thread with no open scope belongs to
 * that thread's code, which must close it.
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
    private final List<Tensor> tensors = new ArrayList<>(); // guarded by itself: joined threads add to it
    private volatile boolean closed;
    private int joined; // guarded by tensors

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
            scope.add(tensor);
        }
    }

    private void add(Tensor tensor) {
        synchronized (tensors) {
            if (closed) {
                throw new IllegalStateException("a tensor made on thread " + Thread.currentThread().getName() + " in a TensorScope of thread "
                        + owner.getName() + " that is closed: the thread joined it and was still working when it closed");
            }
            tensors.add(tensor);
            tensor.setScope(this);
        }
    }

    /**
     * Makes this scope the current one of the calling thread (a worker the owner hands part of its
     * work to) until the returned handle is closed: the tensors the worker makes join this scope and
     * are closed with it. The owner must not close the scope while a worker is joined.
     */
    public Joined join() {
        synchronized (tensors) {
            if (closed) {
                throw new IllegalStateException("cannot join a closed TensorScope");
            }
            joined++;
        }
        Joined j = new Joined(CURRENT.get(), Thread.currentThread());
        CURRENT.set(this);
        return j;
    }

    /** A thread's membership of a scope it joined; closing it restores the thread's own current scope. */
    public final class Joined implements AutoCloseable {
        private final TensorScope previous;
        private final Thread thread;
        private boolean done;

        private Joined(TensorScope previous, Thread thread) {
            this.previous = previous;
            this.thread = thread;
        }

        @Override
        public void close() {
            if (done) {
                return;
            }
            if (Thread.currentThread() != thread) {
                throw new IllegalStateException("TensorScope.Joined closed on thread " + Thread.currentThread().getName() + ", joined on "
                        + thread.getName());
            }
            done = true;
            CURRENT.set(previous);
            synchronized (tensors) {
                joined--;
            }
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
            parent.add(tensor);
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
        synchronized (tensors) {
            int n = 0;
            for (Tensor t : tensors) {
                if (t.scope() == this && !t.isClosed()) {
                    n++;
                }
            }
            return n;
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes every tensor made in this scope and not kept. Closed before inner scopes still open on
     * this thread, it closes them first, makes this scope's parent current, and then throws: the
     * thread is left as if the scopes had been closed in order.
     *
     * @throws IllegalStateException on another thread than the owner's, while a worker has joined the
     *                               scope, or (after closing) when inner scopes were still open
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        checkOwner("close");
        synchronized (tensors) {
            if (joined > 0) {
                throw new IllegalStateException("TensorScope closed while " + joined + " joined thread(s) still make tensors in it");
            }
        }
        List<TensorScope> inner = new ArrayList<>();
        TensorScope s = CURRENT.get();
        while (s != this) {
            if (s == null || s.owner != owner) {
                throw new IllegalStateException("TensorScope closed while the thread is in a scope of another thread it joined: close the "
                        + "Joined first");
            }
            inner.add(s);
            s = s.parent;
        }
        List<RuntimeException> innerFailures = new ArrayList<>();
        for (TensorScope open : inner) {
            RuntimeException f = open.release();
            if (f != null) {
                innerFailures.add(f);
            }
        }
        RuntimeException failure = release();
        CURRENT.set(parent);
        if (!inner.isEmpty()) {
            IllegalStateException misuse = new IllegalStateException("TensorScope closed out of order: " + inner.size() + " inner scope(s) "
                    + "opened after it were still open (closed now, with their tensors)");
            innerFailures.forEach(misuse::addSuppressed);
            if (failure != null) {
                misuse.addSuppressed(failure);
            }
            throw misuse;
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Marks this scope closed and closes its tensors; the first failure is returned, later ones suppressed in it. */
    private RuntimeException release() {
        List<Tensor> mine;
        synchronized (tensors) {
            closed = true;
            mine = new ArrayList<>(tensors);
            tensors.clear();
        }
        RuntimeException failure = null;
        for (Tensor t : mine) {
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
        return failure;
    }

    private void checkOwner(String what) {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("TensorScope." + what + " called on thread " + Thread.currentThread().getName()
                    + " but the scope belongs to thread " + owner.getName());
        }
    }
}
