package dev.llmforge.backend.tensorflow;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.ConcurrentGenerationContract;
import dev.llmforge.tensor.Backends;

class TensorFlowConcurrentGenerationContractTest extends ConcurrentGenerationContract {
    @Override
    protected Backend backend() {
        return Backends.get(TensorFlowBackend.NAME);
    }
}
