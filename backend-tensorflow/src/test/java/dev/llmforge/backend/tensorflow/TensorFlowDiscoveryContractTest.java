package dev.llmforge.backend.tensorflow;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.DiscoveryContract;
import dev.llmforge.tensor.Backends;

class TensorFlowDiscoveryContractTest extends DiscoveryContract {
    @Override
    protected Backend backend() {
        return Backends.get(TensorFlowBackend.NAME);
    }

    @Override
    protected String expectedName() {
        return TensorFlowBackend.NAME;
    }
}
