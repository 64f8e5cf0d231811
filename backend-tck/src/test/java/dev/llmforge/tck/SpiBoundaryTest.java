package dev.llmforge.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.capture.StepCompiler;
import dev.llmforge.spi.Backend;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What a backend implements, core's {@code dev.llmforge.spi} and {@code dev.llmforge.spi.capture},
 * stands on its own: it refers to nothing of core but the tensor value types, so neither the
 * recorder of captured steps ({@code dev.llmforge.capture}) nor autograd's state leaks into it.
 */
class SpiBoundaryTest {

    @Test
    void theSpiRefersToNoCorePackageButTensor() {
        Map<String, Set<String>> outside = ClassReferences.outside(Backend.class, Set.of("dev.llmforge.tensor"));
        assertEquals(Map.of(), outside, "classes of dev.llmforge.spi referring to other core packages");
    }

    @Test
    void theCheckSeesReferencesBetweenPackages() {
        Map<String, Set<String>> recorder = ClassReferences.outside(StepCompiler.class, Set.of());
        assertTrue(recorder.getOrDefault("dev/llmforge/capture/StepCompiler.class", Set.of()).contains("dev.llmforge.spi"),
                "StepCompiler uses Backend (dev.llmforge.spi): " + recorder);
        assertTrue(recorder.values().stream().anyMatch(p -> p.contains("dev.llmforge.spi.capture")),
                "the recorder builds Programs (dev.llmforge.spi.capture): " + recorder);
    }
}
