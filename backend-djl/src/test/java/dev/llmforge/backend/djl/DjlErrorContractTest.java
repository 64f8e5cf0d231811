package dev.llmforge.backend.djl;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.ErrorContract;
import dev.llmforge.tensor.Backends;

class DjlErrorContractTest extends ErrorContract {
    @Override
    protected Backend backend() {
        return Backends.get("djl");
    }
}
