package dev.llmforge.backend.nd4j;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.AutogradContract;
import dev.llmforge.tensor.Backends;

class Nd4jAutogradContractTest extends AutogradContract {
    @Override
    protected Backend backend() {
        return Backends.get(Nd4jBackend.NAME);
    }
}
