package dev.llmforge.tck.reference;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.PackedBatchContract;
import dev.llmforge.tensor.Backends;

class ReferencePackedBatchContractTest extends PackedBatchContract {
    @Override
    protected Backend backend() {
        return Backends.get("reference");
    }
}
