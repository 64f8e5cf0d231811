package dev.llmforge.backend.djl;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.KernelContract;
import dev.llmforge.tensor.Backends;
import org.junit.jupiter.api.extension.ExtendWith;

/** The KernelContract cases run as captured steps: each compiled to a TorchScript module. */
@ExtendWith(TorchScriptCaptureOn.class)
class DjlCapturedKernelContractTest extends KernelContract {
    @Override
    protected Backend backend() {
        return Backends.get("djl");
    }

    @Override
    protected boolean captured() {
        return true;
    }
}
