package dev.llmforge.backend.tensorflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.tensor.Backends;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TensorFlowBackendProviderTest {
    private final TensorFlowBackendProvider provider = new TensorFlowBackendProvider();

    @Test
    void threadsDefaultToTheProcessorsAndFollowTheProperty() {
        String before = System.getProperty(TensorFlowBackendProvider.THREADS_PROPERTY);
        try {
            System.clearProperty(TensorFlowBackendProvider.THREADS_PROPERTY);
            assertEquals(6, TensorFlowBackendProvider.threads(6));
            System.setProperty(TensorFlowBackendProvider.THREADS_PROPERTY, " 3 ");
            assertEquals(3, TensorFlowBackendProvider.threads(6));
            System.setProperty(TensorFlowBackendProvider.THREADS_PROPERTY, "zero");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TensorFlowBackendProvider.threads(6));
            assertTrue(e.getMessage().contains("llmforge.threads") && e.getMessage().contains("'zero'"), e.getMessage());
            System.setProperty(TensorFlowBackendProvider.THREADS_PROPERTY, "0");
            assertThrows(IllegalArgumentException.class, () -> TensorFlowBackendProvider.threads(6));
        } finally {
            if (before == null) {
                System.clearProperty(TensorFlowBackendProvider.THREADS_PROPERTY);
            } else {
                System.setProperty(TensorFlowBackendProvider.THREADS_PROPERTY, before);
            }
        }
    }

    @Test
    void theNativesOfThisMachineAreFound() {
        assertEquals("linux-x86_64", TensorFlowBackendProvider.platform(), "this build runs on linux-x86_64");
        assertEquals(Optional.empty(), provider.unavailableReason());
    }

    @Test
    void withNoOtherBackendOnTheClassPathTensorFlowIsTheDefault() {
        Backends.setDefault(null);
        assertSame(Backends.get(TensorFlowBackend.NAME), Backends.get(), "only tensorflow (and the name-only reference) is on this class path");
    }
}
