package dev.llmforge.tck.reference;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.ErrorContract;
import dev.llmforge.tensor.Backends;

class ReferenceErrorContractTest extends ErrorContract {
    @Override
    protected Backend backend() {
        return Backends.get("reference");
    }
}
