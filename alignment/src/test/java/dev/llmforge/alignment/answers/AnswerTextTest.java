package dev.llmforge.alignment.answers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AnswerTextTest {
    @Test
    void normalisationFoldsCaseAccentsAndPunctuation() {
        assertEquals("bogota", AnswerText.normalize("Bogotá"));
        assertEquals("st george s", AnswerText.normalize("St. George's"));
        assertEquals("niger s capital", AnswerText.normalize("Niger’s capital"));
        assertEquals("washington dc", AnswerText.normalize("Washington D.C."));
        assertEquals("port au prince", AnswerText.normalize("  Port-au-Prince! "));
        assertEquals("tongan pa anga", AnswerText.normalize("Tongan Paʻanga"));
        assertEquals("chisinau", AnswerText.normalize("Chișinău"));
        assertEquals("", AnswerText.normalize("?!"));
    }

    @Test
    void occurrencesCountWholeWordsOnly() {
        assertEquals(1, AnswerText.occurrences("Niger", "Niger is in Africa, north of Nigeria."));
        assertEquals(0, AnswerText.occurrences("Tunis", "Tunisia"));
        assertEquals(2, AnswerText.occurrences("Sao Tome", "São Tomé and Príncipe's capital is São Tomé."));
        assertEquals(2, AnswerText.occurrences("a", "a a"));
        assertEquals(0, AnswerText.occurrences("", "anything"));
    }
}
