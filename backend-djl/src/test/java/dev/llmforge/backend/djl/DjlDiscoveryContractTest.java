package dev.llmforge.backend.djl;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.DiscoveryContract;
import dev.llmforge.tensor.Backends;

class DjlDiscoveryContractTest extends DiscoveryContract {
    @Override
    protected Backend backend() {
        return Backends.get("djl");
    }

    @Override
    protected String expectedName() {
        return "djl";
    }
}
