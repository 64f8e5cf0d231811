package dev.llmforge.tck.reference;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.GoldenGpt2Contract;
import dev.llmforge.tensor.Backends;

class ReferenceGoldenGpt2ContractTest extends GoldenGpt2Contract {
    @Override
    protected Backend backend() {
        return Backends.get("reference");
    }
}
