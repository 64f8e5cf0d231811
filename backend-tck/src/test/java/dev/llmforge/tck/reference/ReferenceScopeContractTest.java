package dev.llmforge.tck.reference;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.ScopeContract;
import dev.llmforge.tensor.Backends;

class ReferenceScopeContractTest extends ScopeContract {
    @Override
    protected Backend backend() {
        return Backends.get("reference");
    }
}
