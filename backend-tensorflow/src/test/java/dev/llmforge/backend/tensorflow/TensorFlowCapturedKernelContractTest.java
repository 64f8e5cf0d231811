package dev.llmforge.backend.tensorflow;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.KernelContract;
import dev.llmforge.tensor.Backends;

/** The KernelContract cases run as captured steps: each compiled to one TensorFlow graph. */
class TensorFlowCapturedKernelContractTest extends KernelContract {
    @Override
    protected Backend backend() {
        return Backends.get(TensorFlowBackend.NAME);
    }

    @Override
    protected boolean captured() {
        return true;
    }
}
