package dev.llmforge.backend.nd4j;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.KernelContract;
import dev.llmforge.tensor.Backends;

class Nd4jKernelContractTest extends KernelContract {
    @Override
    protected Backend backend() {
        return Backends.get(Nd4jBackend.NAME);
    }
}
