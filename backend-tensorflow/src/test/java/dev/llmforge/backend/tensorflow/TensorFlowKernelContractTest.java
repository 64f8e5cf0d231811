package dev.llmforge.backend.tensorflow;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.KernelContract;
import dev.llmforge.tensor.Backends;

class TensorFlowKernelContractTest extends KernelContract {
    @Override
    protected Backend backend() {
        return Backends.get(TensorFlowBackend.NAME);
    }
}
