package dev.llmforge.backend.tensorflow;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.PaddedBatchContract;
import dev.llmforge.tensor.Backends;

class TensorFlowPaddedBatchContractTest extends PaddedBatchContract {
    @Override
    protected Backend backend() {
        return Backends.get("tensorflow");
    }
}
