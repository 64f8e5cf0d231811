package dev.llmforge.backend.tensorflow;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.AutogradContract;
import dev.llmforge.tensor.Backends;

class TensorFlowAutogradContractTest extends AutogradContract {
    @Override
    protected Backend backend() {
        return Backends.get(TensorFlowBackend.NAME);
    }
}
