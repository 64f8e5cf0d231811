package dev.llmforge.backend.tensorflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.llmforge.tensor.Backends;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TensorFlowBackendProviderTest {
    private final TensorFlowBackendProvider provider = new TensorFlowBackendProvider();

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
