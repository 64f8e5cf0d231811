package dev.llmforge.backend.nd4j;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.Stories260kContract;
import dev.llmforge.tensor.Backends;

class Nd4jStories260kContractTest extends Stories260kContract {
    @Override
    protected Backend backend() {
        return Backends.get(Nd4jBackend.NAME);
    }
}
