package dev.llmforge.backend.djl;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.PackedBatchContract;
import dev.llmforge.tensor.Backends;

class DjlPackedBatchContractTest extends PackedBatchContract {
    @Override
    protected Backend backend() {
        return Backends.get("djl");
    }
}
