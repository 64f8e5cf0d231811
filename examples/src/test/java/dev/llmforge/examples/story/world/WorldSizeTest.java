package dev.llmforge.examples.story.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class WorldSizeTest {
    @Test
    void everyKnobHasAFlagAndADescription() {
        assertEquals(WorldSize.descriptions().keySet(), WorldSize.full().knobs().keySet());
        assertEquals("articles-per-country", WorldSize.flagName("articlesPerCountry"));
        assertEquals(WorldSize.quick(), WorldSize.preset("quick"));
    }

    @Test
    void knobsCanBeChangedByName() {
        WorldSize size = WorldSize.quick().with(Map.of("countries", "100", "articles-per-country", "20", "solution-style", "columns"));
        assertEquals(100, size.countries());
        assertEquals(20, size.articlesPerCountry());
        assertEquals(SolutionStyle.COLUMNS, size.solutionStyle());
        assertEquals(WorldSize.quick().worksheets(), size.worksheets());
    }

    @Test
    void badValuesNameTheFlag() {
        assertMessage("--countries expects a whole number, found \"many\"", Map.of("countries", "many"));
        assertMessage("unknown world size --country", Map.of("country", "3"));
        assertMessage("--held-out-countries (48) must leave at least 2 of --countries (48)", Map.of("held-out-countries", "48"));
        assertMessage("--held-out-countries (1) must leave at least 2 of --countries (2)", Map.of("countries", "2", "held-out-countries", "1"));
        assertMessage("--solution-style expects compact or columns, found \"long\"", Map.of("solution-style", "long"));
        assertMessage("--answer-key-percent must be between 0 and 100, found 150", Map.of("answer-key-percent", "150"));
        assertThrows(IllegalArgumentException.class, () -> WorldSize.preset("huge"));
    }

    private static void assertMessage(String start, Map<String, String> overrides) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WorldSize.quick().with(overrides));
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
    }
}
