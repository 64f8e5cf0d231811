package dev.llmforge.backend.nd4j;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.DiscoveryContract;
import dev.llmforge.tensor.Backends;

class Nd4jDiscoveryContractTest extends DiscoveryContract {
    @Override
    protected Backend backend() {
        return Backends.get(Nd4jBackend.NAME);
    }

    @Override
    protected String expectedName() {
        return Nd4jBackend.NAME;
    }
}
