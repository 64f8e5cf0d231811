package dev.llmforge.spi;

import java.util.Optional;

/**
 * Entry point of a backend, found with {@link java.util.ServiceLoader}. Register an implementation
 * with {@code @AutoService(BackendProvider.class)}. Discovery instantiates every provider, so the
 * constructor, {@link #name}, {@link #priority} and {@link #unavailableReason} must be cheap and
 * must not load native libraries; only {@link #create} may.
 */
public interface BackendProvider {
    /** Short lower-case name used with {@code -Dllmforge.backend=NAME}, e.g. "djl". */
    String name();

    /**
     * Higher wins when several backends are on the class path and none is named. A negative
     * priority means "only when asked for by name".
     */
    int priority();

    /** Why this backend cannot work here (missing class, unsupported OS...), or empty if it may. */
    default Optional<String> unavailableReason() {
        return Optional.empty();
    }

    /** Loads the engine. May throw; the message then appears in the "no backend" error. */
    Backend create();
}
