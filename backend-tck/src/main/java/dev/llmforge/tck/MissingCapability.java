package dev.llmforge.tck;

import dev.llmforge.spi.Capability;
import org.opentest4j.TestAbortedException;

/** Skips a test because the backend does not declare a capability it needs (see {@link CapabilityPolicy}). */
final class MissingCapability extends TestAbortedException {
    private static final long serialVersionUID = 1L;

    MissingCapability(String backend, Capability capability) {
        super("skipped: backend " + backend + " does not declare Capability." + capability);
    }
}
