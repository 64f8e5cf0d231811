package dev.llmforge.backend.djl;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.CaptureContract;
import dev.llmforge.tensor.Backends;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TorchScriptCaptureOn.class)
class DjlCaptureContractTest extends CaptureContract {
    @Override
    protected Backend backend() {
        return Backends.get("djl");
    }
}
