package dev.llmforge.backend.nd4j;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.GoldenGpt2Contract;
import dev.llmforge.tensor.Backends;

/** The golden GPT-2 contract on tensorflow, in the JVM where this module runs the whole kit on ND4J. */
class SharedClassPathTensorFlowGoldenTest extends GoldenGpt2Contract {
    @Override
    protected Backend backend() {
        return Backends.get("tensorflow");
    }
}
