package dev.llmforge.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.DType;
import org.junit.jupiter.api.Test;

class MemoryBudgetTest {
    private final Backend reference = TinyModels.reference();

    @Test
    void theReferenceBackendIsBoundedByTheFreeHeap() {
        long available = MemoryBudget.available(reference);
        assertTrue(available > 0 && available <= Runtime.getRuntime().maxMemory(), "available " + available);
        MemoryBudget.require(1024, reference, "a small thing", "n/a");
        InsufficientMemoryException e = assertThrows(InsufficientMemoryException.class,
                () -> MemoryBudget.require(Runtime.getRuntime().maxMemory() + 1, reference, "the model of x/config.json", "use a smaller one"));
        assertTrue(e.getMessage().startsWith("the model of x/config.json needs about ") && e.getMessage().contains("free in the Java heap")
                && e.getMessage().endsWith("on backend reference: use a smaller one"), e.getMessage());
    }

    @Test
    void modelBytesCountParametersAndBuffersAtTheBackendsElementSize() {
        GptConfig llama = TinyModels.llama();
        // the reference backend holds doubles: 8 bytes an element whatever the dtype
        assertEquals((llama.parameterCount() + llama.bufferElementCount()) * 8, MemoryBudget.modelBytes(llama, DType.F16, reference));
        // RoPE tables of (T, head) cos and sin, and a (head, head) rotation: T = 8, head = 4
        assertEquals(2 * 8 * 4 + 4 * 4, llama.bufferElementCount());
        assertEquals(0, TinyModels.gpt2().bufferElementCount());
    }

    @Test
    void formatsBytes() {
        assertEquals("512 B", MemoryBudget.format(512));
        assertEquals("1.5 KiB", MemoryBudget.format(1536));
        assertEquals("3.0 GiB", MemoryBudget.format(3L << 30));
        assertEquals("more than 8 EiB", MemoryBudget.format(Long.MAX_VALUE));
    }
}
