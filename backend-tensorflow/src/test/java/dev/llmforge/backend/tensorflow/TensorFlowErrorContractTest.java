package dev.llmforge.backend.tensorflow;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.ErrorContract;
import dev.llmforge.tensor.Backends;

class TensorFlowErrorContractTest extends ErrorContract {
    @Override
    protected Backend backend() {
        return Backends.get(TensorFlowBackend.NAME);
    }
}
