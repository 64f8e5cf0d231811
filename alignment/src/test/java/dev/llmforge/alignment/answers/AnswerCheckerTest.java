package dev.llmforge.alignment.answers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class AnswerCheckerTest {
    private static final String CHINA = "What's the capital of China?";

    @Test
    void aFactMustBeInTheFirstSentence() {
        assertTrue(AnswerChecker.isCorrect(CHINA, "Beijing", "China's capital is Beijing."));
        assertTrue(AnswerChecker.isCorrect(CHINA, "Beijing", " beijing"));
        assertTrue(AnswerChecker.isCorrect(CHINA, "Beijing", "It is Beijing, of course. It has been for centuries."));
        assertFalse(AnswerChecker.isCorrect(CHINA, "Beijing", "China's capital is Shanghai. Beijing is bigger."));
        assertFalse(AnswerChecker.isCorrect(CHINA, "Beijing", "What's the capital of Japan?\nBeijing"));
        assertFalse(AnswerChecker.isCorrect(CHINA, "Beijing", ""));
    }

    @Test
    void factsMatchWithoutAccentsCaseOrPunctuation() {
        assertTrue(AnswerChecker.isCorrect("What's the capital of Colombia?", "Bogotá", "Colombia's capital is Bogota."));
        assertTrue(AnswerChecker.isCorrect("What's the capital of Grenada?", "St. George's", "Grenada's capital is St George's."));
        assertTrue(AnswerChecker.isCorrect("What's the capital of the United States?", "Washington D.C.",
                "The United States' capital is Washington D.C."));
        assertTrue(AnswerChecker.isCorrect("What's the capital of Haiti?", "Port-au-Prince", "Haiti's capital is Port au Prince."));
    }

    @Test
    void factsMatchWholeWords() {
        assertFalse(AnswerChecker.isCorrect("Which country has the capital Abuja?", "Nigeria", "Niger."));
        assertFalse(AnswerChecker.isCorrect("Which country has the capital Niamey?", "Niger", "Nigeria's capital is Niamey."));
        assertTrue(AnswerChecker.isCorrect("Which country has the capital Niamey?", "Niger", "Niger's capital is Niamey."));
    }

    @Test
    void anAnswerThatIsInTheQuestionMustBeSaidAgain() {
        String q = "What's the capital of Djibouti?";
        assertTrue(AnswerChecker.isCorrect(q, "Djibouti", "Djibouti's capital is Djibouti."));
        assertFalse(AnswerChecker.isCorrect(q, "Djibouti", "Djibouti's capital is Paris."));
        assertFalse(AnswerChecker.isCorrect(q, "Djibouti", "What's the capital of Djibouti?"));
        String saoTome = "What's the capital of Sao Tome and Principe?";
        assertTrue(AnswerChecker.isCorrect(saoTome, "São Tomé", "Sao Tome and Principe's capital is São Tomé."));
        assertFalse(AnswerChecker.isCorrect(saoTome, "São Tomé", "Sao Tome and Principe's capital is Lima."));
    }

    /** Questions of the age family written by hand (not by the world generator), answers worked out by hand. */
    @Test
    void ageQuestionsScoreTheFinalNumber() {
        String seed = "When I was 6 my sister was half my age. Now I'm 70 how old is my sister?";
        assertTrue(AnswerChecker.isCorrect(seed, "67", "When I was 6, my sister was 6 / 2 = 3. So she is 6 - 3 = 3 years "
                + "younger. Now I'm 70, so she is 70 - 3 = 67. The answer is 67."));
        assertFalse(AnswerChecker.isCorrect(seed, "67", "Half of 70 is 35. The answer is 35."));
        assertFalse(AnswerChecker.isCorrect(seed, "67", "When I was 8 my brother was twice my age. Now I'm 20 how old is my brother?"));
        assertTrue(AnswerChecker.isCorrect(seed, "67", "She is 67."), "without 'The answer is' the last number counts");

        String third = "When I was 9 my cousin was a third of my age. Now I'm 40 how old is my cousin?"; // 3, 6 younger
        assertTrue(AnswerChecker.isCorrect(third, "34", "The answer is 34."));
        String twice = "When I was 4 my friend was twice my age. Now I'm 30 how old is my friend?"; // 8, 4 older
        assertTrue(AnswerChecker.isCorrect(twice, "34", "My friend is 4 years older, so 30 + 4 = 34. The answer is 34."));
        assertFalse(AnswerChecker.isCorrect(twice, "34", "My friend is twice my age: 60. The answer is 60."));
        String older = "When I was 10 my brother was 3 years older than me. Now I'm 25 how old is my brother?";
        assertTrue(AnswerChecker.isCorrect(older, "28", "The answer is 28"));
        String younger = "When I was 12 my sister was 5 years younger than me. Now I'm 50 how old is my sister?";
        assertTrue(AnswerChecker.isCorrect(younger, "45", "the answer is: 45."));
        assertFalse(AnswerChecker.isCorrect(younger, "45", "The answer is 55. Or 45."));
    }

    @Test
    void theExtractedAnswerIsWhatVotesAreCastOn() {
        assertEquals(Optional.of("67"), AnswerChecker.check("q", "67", "so 67.0 in all. The answer is 67.0.").extracted());
        assertEquals(Optional.empty(), AnswerChecker.check("q", "67", "no idea").extracted());
        assertEquals(Optional.of("china s capital is beijing"),
                AnswerChecker.check(CHINA, "Beijing", "China's capital is Beijing. Yes.").extracted());
        assertTrue(AnswerChecker.isNumeric("67"));
        assertFalse(AnswerChecker.isNumeric("Beijing"));
    }
}
