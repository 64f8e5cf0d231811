package dev.llmforge.examples.cli;

import dev.llmforge.spi.Backend;
import dev.llmforge.training.PretrainSettings;
import picocli.CommandLine.Option;

/** {@code --backend} and {@code --threads}: the engine a command computes on, shared by every command that trains or generates. */
final class EngineOptions {
    @Option(names = "--backend", paramLabel = "NAME", description = "djl, tensorflow, nd4j, reference (default: the highest-priority backend found)")
    String backendName;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0", description = "engine intra-op threads (default: the free cores)")
    int threads;

    /** Fails on a {@code --threads} out of range (before anything slow, for commands that check their flags first). */
    void check() {
        FlagChecks.range("--threads", threads, 0, PretrainSettings.MAX_COUNT);
    }

    /** The chosen backend, started with the chosen threads; an unknown name fails with the names that exist. */
    Backend resolve() {
        check();
        return BackendChoice.resolve(backendName, threads);
    }
}
