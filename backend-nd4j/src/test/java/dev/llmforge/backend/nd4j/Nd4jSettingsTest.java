package dev.llmforge.backend.nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.spi.EngineThreads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class Nd4jSettingsTest {
    @AfterEach
    void clear() {
        System.clearProperty(EngineThreads.PROPERTY);
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
    void propertiesOverrideTheDefaults() {
        System.setProperty(EngineThreads.PROPERTY, " 3 ");
        System.setProperty(Nd4jSettings.OMP_THREADS_PROPERTY, "2");
        System.setProperty(Nd4jSettings.POOL_PROPERTY, "1024");
        System.setProperty(Nd4jSettings.PARALLEL_PROPERTY, "100");
        assertEquals(new Nd4jSettings(3, 2, 1024, 100), Nd4jSettings.fromSystemProperties());
    }

    @Test
    void badValuesAreRejectedWithTheirName() {
        System.setProperty(EngineThreads.PROPERTY, "0");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, Nd4jSettings::fromSystemProperties);
        assertEquals("-Dllmforge.threads must be a positive whole number, was '0'", e.getMessage());
        System.setProperty(EngineThreads.PROPERTY, "two");
        assertThrows(IllegalArgumentException.class, Nd4jSettings::fromSystemProperties);
    }
}
