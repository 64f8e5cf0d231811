package dev.llmforge.alignment.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.tokenizer.chat.ChatMessage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Held-out preference data split by prompt: no prompt on both sides, the fraction counted in prompts, seeded. */
class PromptSplitTest {
    /** {@code pairsPerPrompt} one-pair groups (a pairs file's lines) for each of {@code prompts} prompts, interleaved. */
    static List<PreferenceGroup> groups(int prompts, int pairsPerPrompt) {
        List<PreferenceGroup> groups = new ArrayList<>();
        int line = 1;
        for (int k = 0; k < pairsPerPrompt; k++) {
            for (int p = 0; p < prompts; p++) {
                PreferencePair pair = new PreferencePair(List.of(ChatMessage.assistant("good " + k)), List.of(ChatMessage.assistant("bad " + k)),
                        OptionalDouble.empty());
                groups.add(new PreferenceGroup(List.of(ChatMessage.user("question " + p)), List.of(pair), new RecordLocation("pairs.jsonl", line++)));
            }
        }
        return groups;
    }

    private static Set<List<ChatMessage>> prompts(List<PreferenceGroup> groups) {
        Set<List<ChatMessage>> prompts = new HashSet<>();
        groups.forEach(g -> prompts.add(g.prompt()));
        return prompts;
    }

    @Test
    void everyPairOfAPromptIsOnOneSide() {
        List<PreferenceGroup> all = groups(20, 6);
        PromptSplit split = PromptSplit.of(all, 0.1, 7);
        assertEquals(2, prompts(split.heldOut()).size(), "10% of the 20 prompts, not of the 120 lines");
        assertEquals(12, split.heldOut().size(), "all 6 pairs of each held-out prompt");
        assertEquals(108, split.train().size());
        Set<List<ChatMessage>> shared = prompts(split.train());
        shared.retainAll(prompts(split.heldOut()));
        assertTrue(shared.isEmpty(), "no prompt on both sides: " + shared);
        assertEquals(all.stream().filter(split.train()::contains).toList(), split.train(), "original order kept");
    }

    @Test
    void theSeedChoosesTheHeldOutPrompts() {
        List<PreferenceGroup> all = groups(30, 2);
        assertEquals(PromptSplit.of(all, 0.2, 1), PromptSplit.of(all, 0.2, 1));
        assertNotEquals(prompts(PromptSplit.of(all, 0.2, 1).heldOut()), prompts(PromptSplit.of(all, 0.2, 2).heldOut()));
    }

    @Test
    void tooFewPromptsOrABadFractionIsAnError() {
        IllegalArgumentException few = assertThrows(IllegalArgumentException.class, () -> PromptSplit.of(groups(1, 5), 0.1, 1));
        assertTrue(few.getMessage().contains("1 distinct prompts"), few.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> PromptSplit.of(groups(10, 1), 1.0, 1));
        assertTrue(bad.getMessage().contains("found 1.0"), bad.getMessage());
    }
}
