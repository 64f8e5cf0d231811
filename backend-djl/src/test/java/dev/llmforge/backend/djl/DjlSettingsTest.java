package dev.llmforge.backend.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.spi.EngineThreads;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The settings logic on its own (the real start-up is checked in a fresh JVM by {@link OfflineStartTest}). */
class DjlSettingsTest {
    private static final String QUIET_CUDA = DjlSettings.SIMPLE_LOGGER_DJL + ".util.cuda";
    private static final String[] PROPERTIES = {DjlSettings.OPT_OUT_TRACKING, DjlSettings.OFFLINE_PROPERTY, DjlSettings.DJL_THREADS,
        DjlSettings.DJL_INTEROP_THREADS, EngineThreads.PROPERTY, DjlSettings.SIMPLE_LOGGER_DJL, QUIET_CUDA};
    private final Map<String, String> saved = new HashMap<>();

    @BeforeEach
    void clear() {
        for (String p : PROPERTIES) {
            saved.put(p, System.getProperty(p));
            System.clearProperty(p);
        }
    }

    @AfterEach
    void restore() {
        for (String p : PROPERTIES) {
            if (saved.get(p) == null) {
                System.clearProperty(p);
            } else {
                System.setProperty(p, saved.get(p));
            }
        }
    }

    @Test
    void setsWhatTheUserLeftUnset() {
        assertEquals(3, DjlSettings.apply(name -> null, () -> 3));
        assertEquals("true", System.getProperty(DjlSettings.OPT_OUT_TRACKING));
        assertEquals("true", System.getProperty(DjlSettings.OFFLINE_PROPERTY));
        assertEquals("3", System.getProperty(DjlSettings.DJL_THREADS));
        assertEquals("1", System.getProperty(DjlSettings.DJL_INTEROP_THREADS));
        assertEquals("warn", System.getProperty(DjlSettings.SIMPLE_LOGGER_DJL), "DJL's start-up notes are not the application's output");
        assertEquals("error", System.getProperty(QUIET_CUDA));
    }

    @Test
    void leavesTheUsersEnvironmentAndPropertiesAlone() {
        Map<String, String> env = Map.of("OPT_OUT_TRACKING", "false", "DJL_OFFLINE", "false");
        System.setProperty(DjlSettings.SIMPLE_LOGGER_DJL, "debug");
        System.setProperty(DjlSettings.DJL_INTEROP_THREADS, "2");
        System.setProperty(DjlSettings.DJL_THREADS, "5");
        assertEquals(5, DjlSettings.apply(env::get, () -> 3));
        assertNull(System.getProperty(DjlSettings.OPT_OUT_TRACKING), "the environment variable is DJL's to read");
        assertNull(System.getProperty(DjlSettings.OFFLINE_PROPERTY));
        assertEquals("2", System.getProperty(DjlSettings.DJL_INTEROP_THREADS));
        assertEquals("debug", System.getProperty(DjlSettings.SIMPLE_LOGGER_DJL));
    }

    @Test
    void llmforgeThreadsWinsAndIsChecked() {
        System.setProperty(DjlSettings.DJL_THREADS, "5");
        System.setProperty(EngineThreads.PROPERTY, "2");
        assertEquals(2, DjlSettings.apply(name -> null, () -> {
            throw new AssertionError("the free processors are not counted when a thread count is given");
        }));
        assertEquals("2", System.getProperty(DjlSettings.DJL_THREADS));
        System.setProperty(EngineThreads.PROPERTY, "none");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DjlSettings.apply(name -> null, () -> 8));
        assertTrue(e.getMessage().contains("-Dllmforge.threads") && e.getMessage().contains("'none'"), e.getMessage());
    }

    @Test
    void hugePagesForLargeTensorsUnlessTheUserChose() {
        GlibC glibc = GlibC.load();
        org.junit.jupiter.api.Assumptions.assumeTrue(glibc != null, "Linux with glibc only");
        assertEquals(false, DjlSettings.enableHugePages(name -> "0"), "the user's own value is left alone");
        String before = glibc.getenv(DjlSettings.HUGE_PAGES_ENVIRONMENT);
        assertEquals(true, DjlSettings.enableHugePages(name -> null));
        assertEquals(before == null ? "1" : before, glibc.getenv(DjlSettings.HUGE_PAGES_ENVIRONMENT),
                "set in the C environment PyTorch reads (never overwritten)");
    }
}
