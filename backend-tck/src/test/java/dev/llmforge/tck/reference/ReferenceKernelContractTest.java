package dev.llmforge.tck.reference;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.KernelContract;
import dev.llmforge.tensor.Backends;

class ReferenceKernelContractTest extends KernelContract {
    @Override
    protected Backend backend() {
        return Backends.get("reference");
    }
}
