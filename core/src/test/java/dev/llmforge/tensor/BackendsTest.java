package dev.llmforge.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BackendsTest {
    @AfterEach
    void reset() {
        Backends.setDefault(null);
    }

    @Test
    void findsTheReferenceBackendByName() {
        assertEquals("reference", Backends.get("reference").name());
        assertSame(Backends.get("reference"), Backends.get("REFERENCE"));
        assertTrue(Backends.candidates().stream().anyMatch(c -> c.name().equals("reference")));
    }

    @Test
    void unknownNameListsWhatWasFound() {
        var e = assertThrows(BackendNotFoundException.class, () -> Backends.get("cuda-magic"));
        assertTrue(e.getMessage().contains("cuda-magic") && e.getMessage().contains("reference"), e.getMessage());
    }

    @Test
    void referenceIsNeverPickedAutomatically() {
        // core alone has only the reference provider, whose priority is negative
        var e = assertThrows(BackendNotFoundException.class, Backends::get);
        assertTrue(e.getMessage().contains("reference: only used when named"), e.getMessage());
    }

    @Test
    void apiOverrideWins() {
        Backends.setDefault("reference");
        assertEquals("reference", Backends.get().name());
        assertEquals("reference", Tensor.scalar(1, DType.F32).backend().name());
    }
}
