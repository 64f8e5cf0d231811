package dev.llmforge.backend.nd4j;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.ErrorContract;
import dev.llmforge.tensor.Backends;

class Nd4jErrorContractTest extends ErrorContract {
    @Override
    protected Backend backend() {
        return Backends.get(Nd4jBackend.NAME);
    }
}
