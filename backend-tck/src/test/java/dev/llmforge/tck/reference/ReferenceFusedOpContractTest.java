package dev.llmforge.tck.reference;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.FusedOpContract;
import dev.llmforge.tensor.Backends;

class ReferenceFusedOpContractTest extends FusedOpContract {
    @Override
    protected Backend backend() {
        return Backends.get("reference");
    }
}
