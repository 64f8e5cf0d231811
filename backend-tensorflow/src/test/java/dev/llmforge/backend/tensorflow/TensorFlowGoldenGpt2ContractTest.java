package dev.llmforge.backend.tensorflow;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.GoldenGpt2Contract;
import dev.llmforge.tensor.Backends;

class TensorFlowGoldenGpt2ContractTest extends GoldenGpt2Contract {
    @Override
    protected Backend backend() {
        return Backends.get(TensorFlowBackend.NAME);
    }
}
