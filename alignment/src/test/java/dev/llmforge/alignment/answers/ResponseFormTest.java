package dev.llmforge.alignment.answers;

import static dev.llmforge.alignment.answers.ResponseForm.ANSWERS;
import static dev.llmforge.alignment.answers.ResponseForm.CONTINUES;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ResponseFormTest {
    @Test
    void answersAreStatements() {
        assertEquals(ANSWERS, ResponseForm.of("China's capital is Beijing."));
        assertEquals(ANSWERS, ResponseForm.of(" Beijing"));
        assertEquals(ANSWERS, ResponseForm.of("A: China's capital is Beijing."));
        assertEquals(ANSWERS, ResponseForm.of("\n\nWhen I was 6, my sister was 6 / 2 = 3. So she is 6 - 3 = 3 years younger. "
                + "Now I'm 70, so she is 70 - 3 = 67. The answer is 67."));
        assertEquals(ANSWERS, ResponseForm.of("Solution: When I was 6, my sister was 3. The answer is 67."));
        assertEquals(ANSWERS, ResponseForm.of("67"));
        assertEquals(ANSWERS, ResponseForm.of("Some people went to the moon in a big rocket and walked on it."));
    }

    @Test
    void aQuestionOrInstructionContinuesTheDocument() {
        assertEquals(CONTINUES, ResponseForm.of("\nWhat's the capital of Peru?\nWhat's the capital of Chile?"));
        assertEquals(CONTINUES, ResponseForm.of("When I was 8 my brother was twice my age. Now I'm 31 how old is my brother?"));
        assertEquals(CONTINUES, ResponseForm.of(" Explain the theory of gravity to a 6 year old."));
        assertEquals(CONTINUES, ResponseForm.of("2. Name the capital of France."));
        assertEquals(CONTINUES, ResponseForm.of("Q: What's the capital of Peru?\nA: Lima"));
        assertEquals(CONTINUES, ResponseForm.of("Problem: When I was 4 my friend was twice my age."));
        assertEquals(CONTINUES, ResponseForm.of("Worksheet 12"));
        assertEquals(CONTINUES, ResponseForm.of("Answer key\n1. Lima"));
        assertEquals(CONTINUES, ResponseForm.of("China's capital is Beijing. What's the capital of Peru?"),
                "asking a new question on the answer's line continues");
    }

    @Test
    void nothingIsNotAnAnswer() {
        assertEquals(CONTINUES, ResponseForm.of(""));
        assertEquals(CONTINUES, ResponseForm.of(" \n\t\n"));
        assertEquals(CONTINUES, ResponseForm.of("A:  "));
    }

    @Test
    void onlyTheFirstLineDecides() {
        assertEquals(ANSWERS, ResponseForm.of("Beijing.\nQ: What's the capital of Peru?"));
        assertEquals(CONTINUES, ResponseForm.of("What's the capital of Peru?\nLima."));
    }
}
