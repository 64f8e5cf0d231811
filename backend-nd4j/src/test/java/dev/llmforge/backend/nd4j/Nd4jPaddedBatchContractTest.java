package dev.llmforge.backend.nd4j;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.PaddedBatchContract;
import dev.llmforge.tensor.Backends;

class Nd4jPaddedBatchContractTest extends PaddedBatchContract {
    @Override
    protected Backend backend() {
        return Backends.get("nd4j");
    }
}
