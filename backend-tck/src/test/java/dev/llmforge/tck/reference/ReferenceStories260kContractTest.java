package dev.llmforge.tck.reference;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.Stories260kContract;
import dev.llmforge.tensor.Backends;

class ReferenceStories260kContractTest extends Stories260kContract {
    @Override
    protected Backend backend() {
        return Backends.get("reference");
    }
}
