package dev.llmforge.alignment.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.alignment.data.RecordLocation;
import dev.llmforge.alignment.data.RolloutPrompt;
import dev.llmforge.tokenizer.chat.ChatMessage;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RewardTest {
    static RolloutPrompt prompt(String question, String answer) {
        return new RolloutPrompt(List.of(ChatMessage.user(question)), question, Optional.ofNullable(answer), new RecordLocation("p.jsonl", 4));
    }

    @Test
    void exactAnswerChecksTheFinalNumberAgainstTheRecord() {
        Reward r = Reward.named("exact-answer");
        RolloutPrompt age = prompt("When I was 6 my sister was half my age. Now I'm 70, how old is she?", "67");
        assertEquals(1, r.score("", "She is 70 - 3 = 67. The answer is 67.", age));
        assertEquals(0, r.score("", "The answer is 35.", age));
        assertEquals(0, r.score("", "I do not know.", age));
        assertEquals(1, r.score("", "China's capital is Beijing.", prompt("What's the capital of China?", "Beijing")));
    }

    @Test
    void exactAnswerWithoutAnExpectedAnswerNamesTheRecord() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Reward.exactAnswer().score("", "The answer is 1.", prompt("What?", null)));
        assertTrue(e.getMessage().startsWith("p.jsonl:4: "), e.getMessage());
    }

    @Test
    void formatRewardsAnAnswerThatStatesItsResultRightOrWrong() {
        Reward r = Reward.format();
        RolloutPrompt age = prompt("How old is she?", "67");
        assertEquals(1, r.score("", "She is 35. The answer is 35.", age));
        assertEquals(0, r.score("", "She is 67.", age), "no stated answer");
        assertEquals(0, r.score("", "Q: How old is he? The answer is 4.", age), "continues the document");
        assertThrows(IllegalArgumentException.class, () -> Reward.named("accuracy"));
    }
}
