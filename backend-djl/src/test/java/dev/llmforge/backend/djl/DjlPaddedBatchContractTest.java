package dev.llmforge.backend.djl;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.PaddedBatchContract;
import dev.llmforge.tensor.Backends;

class DjlPaddedBatchContractTest extends PaddedBatchContract {
    @Override
    protected Backend backend() {
        return Backends.get("djl");
    }
}
