package dev.llmforge.alignment.answers;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class QuestionEchoTest {
    private static final String FRIEND = "When I was 6 my friend was half my age. Now I'm 70 how old is my friend?";

    @Test
    void aLineMadeOfTheQuestionsWordsRestatesIt() {
        // repeats 11 of the question's 14 distinct words (79%); 2 of its 17 words are new (12%)
        assertTrue(QuestionEcho.restates(FRIEND, "When I was 6 my friend was age. Now I'm 3 years old is my friend was"));
        assertTrue(QuestionEcho.restates("What's the capital of Djibouti?", "the capital of Djibouti"));
    }

    @Test
    void bothBoundsDecide() {
        // 4 of the question's 6 distinct words repeated (two thirds, the bound), none new: a restatement
        assertTrue(QuestionEcho.restates("What's the capital of China?", "the capital of China"));
        // 3 of 6 (a half): too little of the question
        assertFalse(QuestionEcho.restates("What's the capital of China?", "capital of China"));
        // 4 of 6 repeated, 1 of 5 words new (a fifth, the bound): adds enough to answer
        assertFalse(QuestionEcho.restates("What's the capital of China?", "the capital of China: Beijing"));
        // 4 of 6 repeated, 1 of 6 words new (below a fifth): a restatement
        assertTrue(QuestionEcho.restates("What's the capital of China?", "the capital of China in China"));
    }

    @Test
    void anAnswerAddsItsContent() {
        assertFalse(QuestionEcho.restates("What's the capital of China?", "China's capital is Beijing."));
        assertFalse(QuestionEcho.restates(FRIEND, "When I was 6, my friend was 6 / 2 = 3. So my friend is 6 - 3 = 3 years younger. "
                + "Now I'm 70, so my friend is 70 - 3 = 67. The answer is 67."));
        assertFalse(QuestionEcho.restates(FRIEND, "67"));
    }

    @Test
    void emptyTextRestatesNothing() {
        assertFalse(QuestionEcho.restates("", "Beijing"));
        assertFalse(QuestionEcho.restates(FRIEND, " . "));
    }
}
