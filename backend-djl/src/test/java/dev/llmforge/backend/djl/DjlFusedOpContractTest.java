package dev.llmforge.backend.djl;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.FusedOpContract;
import dev.llmforge.tensor.Backends;

class DjlFusedOpContractTest extends FusedOpContract {
    @Override
    protected Backend backend() {
        return Backends.get("djl");
    }
}
