package dev.llmforge.backend.tensorflow;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.CaptureContract;
import dev.llmforge.tensor.Backends;

class TensorFlowCaptureContractTest extends CaptureContract {
    @Override
    protected Backend backend() {
        return Backends.get("tensorflow");
    }
}
