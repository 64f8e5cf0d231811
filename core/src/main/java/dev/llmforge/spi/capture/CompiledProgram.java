package dev.llmforge.spi.capture;

import dev.llmforge.spi.NativeTensor;
import java.util.List;

/** A {@link Program} compiled by a backend, run once per step with new {@link Feeds}. */
public interface CompiledProgram extends AutoCloseable {
    /**
     * Runs the program; returns one new handle per {@link Program#outputs()} entry, owned by the
     * caller. Must not close or modify the input handles.
     */
    List<NativeTensor> run(Feeds feeds);

    /** Releases the compiled form (graphs, sessions). */
    @Override
    void close();
}
