package dev.llmforge.generate;

import java.util.Iterator;
import java.util.NoSuchElementException;

/** Generated tokens of one prompt, produced one step at a time ({@link Generator#stream}). */
public final class TokenStream implements Iterator<Integer>, AutoCloseable {
    private final Session session;
    private int pending = -1;
    private boolean closed;

    TokenStream(Session session) {
        this.session = session;
    }

    @Override
    public boolean hasNext() {
        while (pending < 0 && !closed && !session.done()) {
            pending = session.step()[0];
        }
        if (pending < 0) {
            close();
        }
        return pending >= 0;
    }

    @Override
    public Integer next() {
        if (!hasNext()) {
            throw new NoSuchElementException("generation has ended");
        }
        int t = pending;
        pending = -1;
        return t;
    }

    /** The result so far (complete once {@link #hasNext()} returned false). */
    public GenerationResult result() {
        return session.result(0);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            session.close();
        }
    }
}
