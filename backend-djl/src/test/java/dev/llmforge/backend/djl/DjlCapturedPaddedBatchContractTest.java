package dev.llmforge.backend.djl;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.PaddedBatchContract;
import dev.llmforge.tensor.Backends;
import org.junit.jupiter.api.extension.ExtendWith;

/** The padded-batch contract with decode steps compiled to TorchScript. */
@ExtendWith(TorchScriptCaptureOn.class)
class DjlCapturedPaddedBatchContractTest extends PaddedBatchContract {
    @Override
    protected Backend backend() {
        return Backends.get("djl");
    }
}
