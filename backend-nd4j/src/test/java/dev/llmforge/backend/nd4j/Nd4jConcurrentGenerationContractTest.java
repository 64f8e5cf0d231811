package dev.llmforge.backend.nd4j;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.ConcurrentGenerationContract;
import dev.llmforge.tensor.Backends;

class Nd4jConcurrentGenerationContractTest extends ConcurrentGenerationContract {
    @Override
    protected Backend backend() {
        return Backends.get(Nd4jBackend.NAME);
    }
}
