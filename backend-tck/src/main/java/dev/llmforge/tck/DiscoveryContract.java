package dev.llmforge.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.spi.Backend;
import dev.llmforge.spi.BackendProvider;
import dev.llmforge.spi.Capability;
import dev.llmforge.tensor.BackendNotFoundException;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Discovery and selection: {@link ServiceLoader} finds exactly one provider with the backend's
 * name, it is available here, {@link Backends#get(String)} and the default selection return the
 * backend, and its declarations (capabilities, dtypes, devices) agree with each other. Also the
 * boundary: the backend's classes use nothing of core but the SPI and the tensor value types.
 */
public abstract class DiscoveryContract extends BackendContract {

    /** The provider name the backend registers, e.g. "djl". */
    protected abstract String expectedName();

    /**
     * Whether the backend may be picked without being named (priority >= 0). True for real
     * backends; the reference backend (priority -1, only used when named) overrides it.
     */
    protected boolean selectableByDefault() {
        return true;
    }

    private BackendProvider provider() {
        List<BackendProvider> found = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            names.add(p.name());
            if (p.name().equals(expectedName())) {
                found.add(p);
            }
        }
        assertEquals(1, found.size(), "ServiceLoader should find exactly one BackendProvider named '" + expectedName()
                + "' (is it registered with @AutoService(BackendProvider.class)?); found providers " + names);
        return found.get(0);
    }

    @Test
    void serviceLoaderFindsTheProvider() {
        BackendProvider p = provider();
        assertEquals(p.name().toLowerCase(Locale.ROOT).trim(), p.name(), "provider names are lower-case without spaces");
    }

    @Test
    void providerIsAvailableHere() {
        Optional<String> reason = provider().unavailableReason();
        assertNotNull(reason, "unavailableReason() returned null instead of Optional.empty()");
        assertFalse(reason.isPresent(), () -> "provider " + expectedName() + " says it is unavailable: " + reason.get());
        assertTrue(Backends.candidates().stream().anyMatch(c -> c.name().equals(expectedName()) && c.problem().isEmpty()),
                () -> "Backends.candidates() should list " + expectedName() + " without a problem: " + Backends.candidates());
    }

    @Test
    void priorityMatchesHowTheBackendIsSelected() {
        int priority = provider().priority();
        if (selectableByDefault()) {
            assertTrue(priority >= 0, "a backend picked by default needs a non-negative priority, " + expectedName() + " has " + priority);
        } else {
            assertTrue(priority < 0, "a backend used only when named needs a negative priority, " + expectedName() + " has " + priority);
        }
    }

    @Test
    void selectionByNameReturnsOneSharedBackend() {
        Backend named = Backends.get(expectedName());
        assertEquals(expectedName(), named.name(), "Backends.get(name).name()");
        assertSame(named, Backends.get(" " + expectedName().toUpperCase(Locale.ROOT) + " "), "names are trimmed and case-insensitive; one instance is shared");
        assertEquals(expectedName(), backend().name(), "the backend under test");
    }

    @Test
    void namingTheBackendMakesItTheDefault() {
        try {
            Backends.setDefault(expectedName());
            assertSame(Backends.get(expectedName()), Backends.get(), "Backends.get() after setDefault(\"" + expectedName() + "\")");
        } finally {
            Backends.setDefault(null);
        }
    }

    @Test
    void unknownNameGivesAnErrorListingWhatWasFound() {
        BackendNotFoundException e = assertThrows(BackendNotFoundException.class, () -> Backends.get("no-such-backend"));
        assertTrue(e.getMessage().contains("no-such-backend") && e.getMessage().contains(expectedName()),
                "the error should name the requested backend and list the ones found (" + expectedName() + "): " + e.getMessage());
    }

    /**
     * The backend's classes (its package and sub-packages, as compiled) refer to no core package but
     * {@code dev.llmforge.spi} (with {@code spi.capture}) and {@code dev.llmforge.tensor}: what core
     * tells a backend goes through the SPI, never through core's state (autograd's grad mode, the
     * capture recorder, models).
     */
    @Test
    void backendUsesCoreOnlyThroughTheSpi() {
        Map<String, Set<String>> outside = ClassReferences.outside(backend().getClass(), Set.of("dev.llmforge.spi", "dev.llmforge.tensor"));
        assertTrue(outside.isEmpty(), () -> "backend " + backend().name() + " reaches into core beyond dev.llmforge.spi and dev.llmforge.tensor: "
                + outside);
    }

    @Test
    void declarationsAgreeWithEachOther() {
        Backend b = backend();
        assertNotNull(b.capabilities(), "capabilities()");
        assertNotNull(b.nativeFusedOps(), "nativeFusedOps()");
        for (DType required : List.of(DType.F32, DType.I32, DType.I64, DType.BOOL)) {
            assertTrue(b.dtypes().contains(required), "every backend supports " + required + "; dtypes() = " + b.dtypes());
        }
        assertEquals(b.supports(Capability.F64), b.dtypes().contains(DType.F64), "Capability.F64 and dtypes() disagree: " + b.dtypes());
        assertEquals(b.supports(Capability.F16), b.dtypes().contains(DType.F16), "Capability.F16 and dtypes() disagree: " + b.dtypes());
        assertEquals(b.supports(Capability.BF16), b.dtypes().contains(DType.BF16), "Capability.BF16 and dtypes() disagree: " + b.dtypes());
        assertFalse(b.devices().isEmpty(), "devices() is empty");
        assertEquals(Device.cpu(), b.devices().get(0), "the CPU comes first in devices(): " + b.devices());
        boolean gpus = b.devices().stream().anyMatch(Device::isGpu);
        assertTrue(!gpus || b.supports(Capability.GPU), "devices() lists a GPU but Capability.GPU is not declared: " + b.devices());
        assertTrue(b.liveTensorCount() >= 0, "liveTensorCount() is negative: " + b.liveTensorCount());
    }
}
