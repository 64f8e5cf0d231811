package dev.llmforge.examples.story;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StoryPlanTest {
    @Test
    void bothPlansAreValidAndSeeded() {
        for (StoryPlan plan : new StoryPlan[] {StoryPlan.quick(), StoryPlan.full()}) {
            StoryPlan seeded = plan.seeded(42);
            assertEquals(42, seeded.pretrain().seed());
            assertEquals(42, seeded.grpo().seed());
            assertTrue(plan.maxNewTokens() < plan.model().blockSize(), plan.name());
            assertEquals(plan, StoryPlan.named(plan.name()));
        }
        assertEquals(40, StoryPlan.full().world().heldOutCountries());
        assertEquals("bpe:1024", StoryPlan.full().tokenizer());
        assertEquals(300, StoryPlan.full().world().workedProblems(), "world C, whose pretraining text run G's recall was measured on");
        assertEquals(20, StoryPlan.full().pretrain().warmupIters(), "run G's warmup");
        assertEquals(1200, StoryPlan.full().pretrain().maxIters(), "run G's schedule stretched to twice its length");
        assertEquals(300, StoryPlan.full().sft().maxIters());
    }

    @Test
    void unknownPlanAndResponsesLongerThanTheContextAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StoryPlan.named("medium"));
        assertTrue(e.getMessage().contains("quick or full"), e.getMessage());
        StoryPlan q = StoryPlan.quick();
        e = assertThrows(IllegalArgumentException.class, () -> new StoryPlan(q.name(), q.world(), q.tokenizer(), q.model(), q.pretrain(), q.sft(),
                q.reward(), q.ppo(), q.dpo(), q.grpo(), q.rankedSamples(), q.rankedPrompts(), q.rolloutPrompts(), q.groupSize(),
                q.model().blockSize(), q.evalQuestions(), q.shots(), q.selfConsistencyK(), q.generationBatch()));
        assertTrue(e.getMessage().contains("do not fit the context of 320"), e.getMessage());
    }
}
