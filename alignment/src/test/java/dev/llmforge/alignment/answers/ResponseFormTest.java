package dev.llmforge.alignment.answers;

import static dev.llmforge.alignment.answers.ResponseForm.ANSWERS;
import static dev.llmforge.alignment.answers.ResponseForm.CONTINUES;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ResponseFormTest {
    private static final String CHINA = "What's the capital of China?";
    private static final String SISTER = "When I was 6 my sister was half my age. Now I'm 70 how old is my sister?";
    private static final String FRIEND = "When I was 6 my friend was half my age. Now I'm 70 how old is my friend?";

    @Test
    void answersAreStatements() {
        assertEquals(ANSWERS, ResponseForm.of(CHINA, "China's capital is Beijing."));
        assertEquals(ANSWERS, ResponseForm.of(CHINA, " Beijing"));
        assertEquals(ANSWERS, ResponseForm.of(CHINA, "A: China's capital is Beijing."));
        assertEquals(ANSWERS, ResponseForm.of(CHINA, "The capital of China is Beijing."));
        assertEquals(ANSWERS, ResponseForm.of(SISTER, "\n\nWhen I was 6, my sister was 6 / 2 = 3. So she is 6 - 3 = 3 years younger. "
                + "Now I'm 70, so she is 70 - 3 = 67. The answer is 67."));
        assertEquals(ANSWERS, ResponseForm.of(SISTER, "Solution: When I was 6, my sister was 3. The answer is 67."));
        assertEquals(ANSWERS, ResponseForm.of(SISTER, "67"));
        assertEquals(ANSWERS, ResponseForm.of("Explain the moon landing to a 6 year old.",
                "Some people went to the moon in a big rocket and walked on it."));
        assertEquals(ANSWERS, ResponseForm.of("Which continent is Oman in?", "Oman is in Asia."), "repeats 3 of the question's 5 words");
        assertEquals(ANSWERS, ResponseForm.of("Which language do people speak in Germany?", "People in Germany speak German."));
    }

    @Test
    void aQuestionOrInstructionContinuesTheDocument() {
        assertEquals(CONTINUES, ResponseForm.of(CHINA, "\nWhat's the capital of Peru?\nWhat's the capital of Chile?"));
        assertEquals(CONTINUES, ResponseForm.of(SISTER, "When I was 8 my brother was twice my age. Now I'm 31 how old is my brother?"));
        assertEquals(CONTINUES, ResponseForm.of(CHINA, " Explain the theory of gravity to a 6 year old."));
        assertEquals(CONTINUES, ResponseForm.of(CHINA, "2. Name the capital of France."));
        assertEquals(CONTINUES, ResponseForm.of(CHINA, "Q: What's the capital of Peru?\nA: Lima"));
        assertEquals(CONTINUES, ResponseForm.of(SISTER, "Problem: When I was 4 my friend was twice my age."));
        assertEquals(CONTINUES, ResponseForm.of(CHINA, "Worksheet 12"));
        assertEquals(CONTINUES, ResponseForm.of(CHINA, "Answer key\n1. Lima"));
        assertEquals(CONTINUES, ResponseForm.of(CHINA, "China's capital is Beijing. What's the capital of Peru?"),
                "asking a new question on the answer's line continues");
    }

    @Test
    void aQuestionWithoutItsMarkStillAsks() {
        assertEquals(CONTINUES, ResponseForm.of(CHINA, "What is the capital of Peru"));
        assertEquals(CONTINUES, ResponseForm.of(CHINA, "Beijing. Which city is the capital of Peru"));
        // a quick story run's base model (seed 1337), asked "Which continent is Germany in?" as a document to continue
        assertEquals(CONTINUES, ResponseForm.of("Which continent is Germany in?", "\nSolutiond When I was 18 my cousin was twas as as 1 years "
                + "younger than me me whan I was 18 yous younger than whas the my age. Now I'm 40 how old is my"));
    }

    @Test
    void restatingTheQuestionDoesNotAnswerIt() {
        // a story run's base model after 200 steps (docs/story-world.md): no '?', no imperative, and no answer
        assertEquals(CONTINUES, ResponseForm.of(FRIEND, "When I was 6 my friend was age. Now I'm 3 years old is my friend was"));
        assertEquals(CONTINUES, ResponseForm.of(CHINA, "The capital of China"));
        assertEquals(CONTINUES, ResponseForm.of(SISTER, "When I was 6 my sister was half my age. Now I'm 70"));
    }

    @Test
    void aWrongOrGarbledAnswerIsStillAnAnswer() {
        // the quick story run's SFT model (seed 1337): the form of an answer with the wrong content
        assertEquals(ANSWERS, ResponseForm.of(SISTER, " When I was 10, my sisister was 10 / 2 = 2. So she is 1 - 1 = 1 years younger. "
                + "Now I'm 6, so she is 12 - 1 = 1. The answer is 6."));
        assertEquals(ANSWERS, ResponseForm.of(CHINA, " in in is in Asia."));
    }

    @Test
    void nothingIsNotAnAnswer() {
        assertEquals(CONTINUES, ResponseForm.of(CHINA, ""));
        assertEquals(CONTINUES, ResponseForm.of(CHINA, " \n\t\n"));
        assertEquals(CONTINUES, ResponseForm.of(CHINA, "A:  "));
        // what PPO learned to write against a reward model that liked short answers (alignment/README.md)
        assertEquals(CONTINUES, ResponseForm.of(CHINA, "."));
        assertEquals(CONTINUES, ResponseForm.of(CHINA, " ...!"));
        assertEquals(ANSWERS, ResponseForm.of(SISTER, "67."));
    }

    @Test
    void onlyTheFirstLineDecides() {
        assertEquals(ANSWERS, ResponseForm.of(CHINA, "Beijing.\nQ: What's the capital of Peru?"));
        assertEquals(CONTINUES, ResponseForm.of(CHINA, "What's the capital of Peru?\nLima."));
    }
}
