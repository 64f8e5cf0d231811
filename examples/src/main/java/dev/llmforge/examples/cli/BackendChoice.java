package dev.llmforge.examples.cli;

import dev.llmforge.spi.Backend;
import dev.llmforge.spi.EngineThreads;
import dev.llmforge.tensor.Backends;

/** Picks the backend of a command: the one named, else the default on the class path. */
final class BackendChoice {
    private BackendChoice() {
    }

    /**
     * The backend {@code name}, or the default ({@code -Dllmforge.backend}, {@code LLMFORGE_BACKEND}, else
     * the highest-priority one found) if null; an unknown name is an error listing the backends found.
     * {@code threads} (if positive) sets the engine's intra-op threads before it starts.
     */
    static Backend resolve(String name, int threads) {
        if (threads > 0) {
            System.setProperty(EngineThreads.PROPERTY, Integer.toString(threads));
        }
        return name == null ? Backends.get() : Backends.get(name);
    }
}
