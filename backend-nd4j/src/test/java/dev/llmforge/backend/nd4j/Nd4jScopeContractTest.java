package dev.llmforge.backend.nd4j;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.ScopeContract;
import dev.llmforge.tensor.Backends;

class Nd4jScopeContractTest extends ScopeContract {
    @Override
    protected Backend backend() {
        return Backends.get(Nd4jBackend.NAME);
    }
}
