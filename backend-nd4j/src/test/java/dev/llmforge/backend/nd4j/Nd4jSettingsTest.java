package dev.llmforge.backend.nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class Nd4jSettingsTest {
    @AfterEach
    void clear() {
        System.clearProperty(Nd4jSettings.THREADS_PROPERTY);
        System.clearProperty(Nd4jSettings.OMP_THREADS_PROPERTY);
        System.clearProperty(Nd4jSettings.POOL_PROPERTY);
        System.clearProperty(Nd4jSettings.PARALLEL_PROPERTY);
    }

    @Test
    void defaultsUseTheFreeProcessors() {
        Nd4jSettings s = Nd4jSettings.fromSystemProperties();
        int processors = Runtime.getRuntime().availableProcessors();
        assertTrue(s.threads() >= 1 && s.threads() <= processors, "threads " + s.threads() + " of " + processors);
        assertEquals(1, s.ompThreads());
        assertEquals(256L << 20, s.poolBytes());
        assertEquals(32_768, s.parallelThreshold());
    }

    @Test
    void freeProcessorsSubtractTheLoadAndStayInRange() {
        assertEquals(8, Nd4jSettings.freeProcessors(8, 0));
        assertEquals(8, Nd4jSettings.freeProcessors(8, -1)); // load unknown
        assertEquals(6, Nd4jSettings.freeProcessors(8, 1.6));
        assertEquals(1, Nd4jSettings.freeProcessors(2, 5.1));
    }

    @Test
    void propertiesOverrideTheDefaults() {
        System.setProperty(Nd4jSettings.THREADS_PROPERTY, " 3 ");
        System.setProperty(Nd4jSettings.OMP_THREADS_PROPERTY, "2");
        System.setProperty(Nd4jSettings.POOL_PROPERTY, "1024");
        System.setProperty(Nd4jSettings.PARALLEL_PROPERTY, "100");
        assertEquals(new Nd4jSettings(3, 2, 1024, 100), Nd4jSettings.fromSystemProperties());
    }

    @Test
    void badValuesAreRejectedWithTheirName() {
        System.setProperty(Nd4jSettings.THREADS_PROPERTY, "0");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, Nd4jSettings::fromSystemProperties);
        assertEquals("-Dllmforge.threads must be a positive whole number, was '0'", e.getMessage());
        System.setProperty(Nd4jSettings.THREADS_PROPERTY, "two");
        assertThrows(IllegalArgumentException.class, Nd4jSettings::fromSystemProperties);
    }
}
