package dev.llmforge.backend.nd4j;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.PackedBatchContract;
import dev.llmforge.tensor.Backends;

class Nd4jPackedBatchContractTest extends PackedBatchContract {
    @Override
    protected Backend backend() {
        return Backends.get("nd4j");
    }
}
