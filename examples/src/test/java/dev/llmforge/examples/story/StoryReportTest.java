package dev.llmforge.examples.story;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StoryReportTest {
    @Test
    void aDifferenceCountsOnlyWhenTheIntervalsDoNotOverlap() {
        // 30/40 has the Wilson interval 59.8–85.8%, 5/40 5.5–26.1%: apart
        assertTrue(StoryReport.compare(30, 5, 40).startsWith("higher"), StoryReport.compare(30, 5, 40));
        assertTrue(StoryReport.compare(5, 30, 40).startsWith("lower"));
        // 24/40 (44.6–73.7%) and 16/40 (26.3–55.4%) overlap although 24 > 16
        assertTrue(StoryReport.compare(24, 16, 40).startsWith("no difference"));
    }

    @Test
    void proportionsCarryTheirWilsonInterval() {
        assertEquals("30/40 = 75.0% (59.8–85.8%)", StoryReport.proportion(30, 40));
    }
}
