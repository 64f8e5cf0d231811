package dev.llmforge.backend.tensorflow;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.FusedOpContract;
import dev.llmforge.tensor.Backends;

class TensorFlowFusedOpContractTest extends FusedOpContract {
    @Override
    protected Backend backend() {
        return Backends.get(TensorFlowBackend.NAME);
    }
}
