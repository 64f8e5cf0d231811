package dev.llmforge.backend.djl;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.AutogradContract;
import dev.llmforge.tensor.Backends;

class DjlAutogradContractTest extends AutogradContract {
    @Override
    protected Backend backend() {
        return Backends.get("djl");
    }
}
