package dev.llmforge.spi;

import java.util.ArrayList;
import java.util.List;

/** Closes the intermediate handles of a kernel composed from primitives. */
final class Temps implements AutoCloseable {
    private final List<NativeTensor> handles = new ArrayList<>();

    /** Registers {@code x} for closing and returns it. */
    NativeTensor t(NativeTensor x) {
        handles.add(x);
        return x;
    }

    @Override
    public void close() {
        for (NativeTensor h : handles) {
            h.close();
        }
        handles.clear();
    }
}
