package dev.llmforge.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EngineThreadsTest {
    @AfterEach
    void clear() {
        System.clearProperty(EngineThreads.PROPERTY);
    }

    @Test
    void freeProcessorsDiscountTheLoadOfOtherProcessesAndStayInRange() {
        assertEquals(1, EngineThreads.freeProcessors(2, 4.3));
        assertEquals(8, EngineThreads.freeProcessors(8, 0.2));
        assertEquals(5, EngineThreads.freeProcessors(8, 2.6));
        assertEquals(4, EngineThreads.freeProcessors(4, 0));
        assertEquals(8, EngineThreads.freeProcessors(8, -1)); // load unknown
    }

    @Test
    void thePropertyWinsAndIsChecked() {
        int processors = Runtime.getRuntime().availableProcessors();
        int free = EngineThreads.intraOp();
        assertTrue(free >= 1 && free <= processors, free + " of " + processors);
        System.setProperty(EngineThreads.PROPERTY, " 3 ");
        assertEquals(3, EngineThreads.intraOp());
        for (String bad : new String[] {"0", "-2", "two"}) {
            System.setProperty(EngineThreads.PROPERTY, bad);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, EngineThreads::intraOp);
            assertEquals("-Dllmforge.threads must be a positive whole number, was '" + bad + "'", e.getMessage());
        }
    }
}
