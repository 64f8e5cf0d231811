package dev.llmforge.internal.reference;

import com.google.auto.service.AutoService;
import dev.llmforge.spi.Backend;
import dev.llmforge.spi.BackendProvider;

/**
 * Registers the reference backend. Its negative priority means it is used only when asked for by
 * name ({@code -Dllmforge.backend=reference}): it is far too slow to be picked by accident.
 */
@AutoService(BackendProvider.class)
public final class ReferenceBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return ReferenceBackend.NAME;
    }

    @Override
    public int priority() {
        return -1;
    }

    @Override
    public Backend create() {
        return new ReferenceBackend();
    }
}
