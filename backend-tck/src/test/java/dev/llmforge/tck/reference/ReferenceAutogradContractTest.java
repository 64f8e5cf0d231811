package dev.llmforge.tck.reference;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.AutogradContract;
import dev.llmforge.tensor.Backends;

class ReferenceAutogradContractTest extends AutogradContract {
    @Override
    protected Backend backend() {
        return Backends.get("reference");
    }
}
