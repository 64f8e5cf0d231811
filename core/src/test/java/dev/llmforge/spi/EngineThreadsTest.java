package dev.llmforge.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
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
    void busyProcessorsComeFromProcStatLessThisProcess() {
        List<String> before = List.of("cpu  1000 0 200 5000 100 0 0 0 0 0", "cpu0 500 0 100 2500 50 0 0 0 0 0",
                "cpu1 500 0 100 2500 50 0 0 0 0 0", "intr 12345");
        // 40 jiffies passed on each of 2 processors: 50 busy (user + system), 30 idle or waiting on I/O
        List<String> after = List.of("cpu  1040 0 210 5025 105 0 0 0 0 0", "cpu0 520 0 105 2512 53 0 0 0 0 0",
                "cpu1 520 0 105 2513 52 0 0 0 0 0", "intr 12399");
        assertEquals(1.25, OtherProcessesLoad.busyElsewhere(before, after, 0), 1e-9);
        assertEquals(0.25, OtherProcessesLoad.busyElsewhere(before, after, 1.0), 1e-9, "this JVM's own work is not others' load");
        assertEquals(0, OtherProcessesLoad.busyElsewhere(before, after, 2.0), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> OtherProcessesLoad.busyElsewhere(List.of("intr 1"), after, 0));
    }

    @Test
    void aMeasurementOnThisMachineIsWithinItsProcessors() {
        OtherProcessesLoad.measure().ifPresent(busy -> assertTrue(busy >= 0 && busy <= Runtime.getRuntime().availableProcessors() + 0.5,
                "busy " + busy));
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
