package dev.llmforge.backend.tensorflow;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.Stories260kContract;
import dev.llmforge.tensor.Backends;

class TensorFlowStories260kContractTest extends Stories260kContract {
    @Override
    protected Backend backend() {
        return Backends.get(TensorFlowBackend.NAME);
    }
}
