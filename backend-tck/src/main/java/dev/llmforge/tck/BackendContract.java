package dev.llmforge.tck;

import dev.llmforge.spi.Backend;

/**
 * Base of every conformance contract. A backend's test suite subclasses each contract in one line:
 *
 * <pre>{@code
 * class DjlKernelContractTest extends KernelContract {
 *     @Override protected Backend backend() { return Backends.get("djl"); }
 * }
 * }</pre>
 */
public abstract class BackendContract {
    /** The backend under test; called once per test, so return a shared instance. */
    protected abstract Backend backend();
}
