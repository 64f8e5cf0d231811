package dev.llmforge.backend.djl;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.KernelContract;
import dev.llmforge.tensor.Backends;

class DjlKernelContractTest extends KernelContract {
    @Override
    protected Backend backend() {
        return Backends.get("djl");
    }
}
