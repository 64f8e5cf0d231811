package dev.llmforge.backend.nd4j;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.GoldenGpt2Contract;
import dev.llmforge.tensor.Backends;

/** The golden GPT-2 contract on djl, in the JVM where this module runs the whole kit on ND4J. */
class SharedClassPathDjlGoldenTest extends GoldenGpt2Contract {
    @Override
    protected Backend backend() {
        return Backends.get("djl");
    }
}
