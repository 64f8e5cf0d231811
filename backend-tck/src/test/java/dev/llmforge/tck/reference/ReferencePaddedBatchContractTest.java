package dev.llmforge.tck.reference;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.PaddedBatchContract;
import dev.llmforge.tensor.Backends;

class ReferencePaddedBatchContractTest extends PaddedBatchContract {
    @Override
    protected Backend backend() {
        return Backends.get("reference");
    }
}
