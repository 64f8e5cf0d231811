package dev.llmforge.backend.djl;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.CapturedTrainingContract;
import dev.llmforge.tensor.Backends;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TorchScriptCaptureOn.class)
class DjlCapturedTrainingContractTest extends CapturedTrainingContract {
    @Override
    protected Backend backend() {
        return Backends.get("djl");
    }
}
