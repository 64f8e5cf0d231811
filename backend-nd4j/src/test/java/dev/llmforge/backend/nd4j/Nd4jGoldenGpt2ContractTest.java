package dev.llmforge.backend.nd4j;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.GoldenGpt2Contract;
import dev.llmforge.tensor.Backends;

class Nd4jGoldenGpt2ContractTest extends GoldenGpt2Contract {
    @Override
    protected Backend backend() {
        return Backends.get(Nd4jBackend.NAME);
    }
}
