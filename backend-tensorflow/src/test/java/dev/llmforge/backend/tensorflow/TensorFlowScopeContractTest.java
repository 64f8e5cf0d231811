package dev.llmforge.backend.tensorflow;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.ScopeContract;
import dev.llmforge.tensor.Backends;

class TensorFlowScopeContractTest extends ScopeContract {
    @Override
    protected Backend backend() {
        return Backends.get(TensorFlowBackend.NAME);
    }
}
