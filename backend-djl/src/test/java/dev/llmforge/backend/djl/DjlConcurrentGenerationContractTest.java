package dev.llmforge.backend.djl;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.ConcurrentGenerationContract;
import dev.llmforge.tensor.Backends;

class DjlConcurrentGenerationContractTest extends ConcurrentGenerationContract {
    @Override
    protected Backend backend() {
        return Backends.get("djl");
    }
}
