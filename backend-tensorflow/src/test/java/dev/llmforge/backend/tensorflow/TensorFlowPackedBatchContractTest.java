package dev.llmforge.backend.tensorflow;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.PackedBatchContract;
import dev.llmforge.tensor.Backends;

class TensorFlowPackedBatchContractTest extends PackedBatchContract {
    @Override
    protected Backend backend() {
        return Backends.get("tensorflow");
    }
}
