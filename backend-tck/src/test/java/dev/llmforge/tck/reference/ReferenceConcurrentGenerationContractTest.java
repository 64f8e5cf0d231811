package dev.llmforge.tck.reference;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.ConcurrentGenerationContract;
import dev.llmforge.tensor.Backends;

class ReferenceConcurrentGenerationContractTest extends ConcurrentGenerationContract {
    @Override
    protected Backend backend() {
        return Backends.get("reference");
    }
}
