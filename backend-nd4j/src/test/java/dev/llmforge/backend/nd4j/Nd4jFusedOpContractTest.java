package dev.llmforge.backend.nd4j;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.FusedOpContract;
import dev.llmforge.tensor.Backends;

class Nd4jFusedOpContractTest extends FusedOpContract {
    @Override
    protected Backend backend() {
        return Backends.get(Nd4jBackend.NAME);
    }
}
