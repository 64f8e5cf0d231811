package dev.llmforge.backend.tensorflow;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.CapturedTrainingContract;
import dev.llmforge.tensor.Backends;

class TensorFlowCapturedTrainingContractTest extends CapturedTrainingContract {
    @Override
    protected Backend backend() {
        return Backends.get("tensorflow");
    }
}
