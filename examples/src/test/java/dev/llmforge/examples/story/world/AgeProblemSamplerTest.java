package dev.llmforge.examples.story.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The sampler keeps to the world's number ranges: the small-number world that makes the sums learnable. */
class AgeProblemSamplerTest {

    @Test
    void smallNumberWorldStaysInItsRangesAndReachesTheirEnds() {
        WorldSize small = WorldSize.quick().with(Map.of("max-now-age", "30", "max-years", "9"));
        AgeProblemSampler sampler = new AgeProblemSampler(small);
        WorldRandom random = WorldRandom.stream(1337, "sampler test");
        Set<AgeRelation> relations = EnumSet.noneOf(AgeRelation.class);
        int largestNow = 0;
        int largestYears = 0;
        for (int i = 0; i < 5000; i++) {
            AgeProblem p = sampler.draw(random);
            String where = "problem " + i + ": " + p;
            assertTrue(p.thenAge() >= 2 && p.thenAge() <= 20, where);
            assertTrue(p.nowAge() > p.thenAge() && p.nowAge() <= 30, where);
            assertTrue(p.years() <= 9, where);
            assertTrue(p.answer() > 0, where);
            relations.add(p.relation());
            largestNow = Math.max(largestNow, p.nowAge());
            largestYears = Math.max(largestYears, p.years());
        }
        assertEquals(EnumSet.allOf(AgeRelation.class), relations);
        assertEquals(30, largestNow);
        assertEquals(9, largestYears);
    }
}
