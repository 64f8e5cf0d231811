package dev.llmforge.tck.reference;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.DiscoveryContract;
import dev.llmforge.tensor.Backends;

class ReferenceDiscoveryContractTest extends DiscoveryContract {
    @Override
    protected Backend backend() {
        return Backends.get("reference");
    }

    @Override
    protected String expectedName() {
        return "reference";
    }

    /** The reference backend has priority -1: it is used only when named. */
    @Override
    protected boolean selectableByDefault() {
        return false;
    }
}
