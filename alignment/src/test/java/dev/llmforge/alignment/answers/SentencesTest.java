package dev.llmforge.alignment.answers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SentencesTest {
    @Test
    void aSentenceEndsAtAStopMarkOrALineBreak() {
        assertEquals("China's capital is Beijing.", Sentences.first("China's capital is Beijing. It is big."));
        assertEquals("Is it Lima?", Sentences.first("\n  Is it Lima? Yes."));
        assertEquals("Lima", Sentences.first("Lima\nQ: What's the capital of Chile?"));
        assertEquals("Yes!", Sentences.first("Yes! Lima."));
        assertEquals("no stop at all", Sentences.first("no stop at all"));
        assertEquals("", Sentences.first("   "));
        assertEquals("It is 2.5 km.", Sentences.first("It is 2.5 km. Far."), "a decimal point is not a full stop");
    }

    @Test
    void abbreviationsDoNotEndASentence() {
        assertEquals("Grenada's capital is St. George's.", Sentences.first("Grenada's capital is St. George's. Next."));
        assertEquals("The capital is Washington D.C.", Sentences.first("The capital is Washington D.C.\nMore."));
        assertEquals("The U.S. capital is Washington.", Sentences.first("The U.S. capital is Washington. Yes."));
    }

    @Test
    void theRestFollowsTheFirstSentence() {
        assertEquals("It is big.", Sentences.afterFirst("China's capital is Beijing.  It is big."));
        assertEquals("", Sentences.afterFirst("Only one."));
    }
}
