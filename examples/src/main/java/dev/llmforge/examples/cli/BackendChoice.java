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
     * {@code threads} (if positive) sets the engine's intra-op threads before it starts, else the
     * free cores ({@link EngineThreads}) do.
     */
    static Backend resolve(String name, int threads) {
        // decided here (the free cores unless given) so that the engine and the console report agree
        int n = threads > 0 ? threads : EngineThreads.intraOp();
        System.setProperty(EngineThreads.PROPERTY, Integer.toString(n));
        return name == null ? Backends.get() : Backends.get(name);
    }

    /** "djl, 2 threads": the backend's name and the intra-op threads it was started with. */
    static String describe(Backend backend) {
        return backend.name() + ", " + EngineThreads.intraOp() + (EngineThreads.intraOp() == 1 ? " thread" : " threads");
    }
}
