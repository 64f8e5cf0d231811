package dev.llmforge.backend.tensorflow;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.FusedOpContract;
import dev.llmforge.tensor.Backends;

/** The FusedOpContract cases run as captured steps: each compiled to one TensorFlow graph. */
class TensorFlowCapturedFusedOpContractTest extends FusedOpContract {
    @Override
    protected Backend backend() {
        return Backends.get(TensorFlowBackend.NAME);
    }

    @Override
    protected boolean captured() {
        return true;
    }
}
