package dev.llmforge.backend.djl;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.ScopeContract;
import dev.llmforge.tensor.Backends;

class DjlScopeContractTest extends ScopeContract {
    @Override
    protected Backend backend() {
        return Backends.get("djl");
    }
}
