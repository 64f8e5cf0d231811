package dev.llmforge.alignment.answers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class FinalNumberTest {
    @Test
    void theNumberAfterTheAnswerIsWins() {
        assertEquals(Optional.of("67"), FinalNumber.extract("When I was 6, my sister was 6 / 2 = 3. So she is 6 - 3 = 3 "
                + "years younger. Now I'm 70, so she is 70 - 3 = 67. The answer is 67."));
        assertEquals(Optional.of("67"), FinalNumber.extract("The answer is 67, not 68."));
        assertEquals(Optional.of("1000"), FinalNumber.extract("the answer is: 1,000 apples"));
        assertEquals(Optional.of("12.5"), FinalNumber.extract("THE ANSWER IS $12.50"));
        assertEquals(Optional.of("-3"), FinalNumber.extract("The answer is -3."));
    }

    @Test
    void theFirstStatedAnswerCountsWhenTheTextGoesOn() {
        assertEquals(Optional.of("67"), FinalNumber.extract("She is 67. The answer is 67.\nQ: When I was 4 my brother was "
                + "twice my age. Now I'm 10 how old is my brother?\nA: He is 14. The answer is 14."));
    }

    @Test
    void withoutAStatedAnswerTheLastNumberCounts() {
        assertEquals(Optional.of("67"), FinalNumber.extract("Now I'm 70, so she is 70 - 3 = 67."));
        assertEquals(Optional.of("3"), FinalNumber.extract("70-3"), "a minus after a digit is an operator");
        assertEquals(Optional.of("13"), FinalNumber.extract("The answer is unknown, maybe 12 or 13."));
        assertEquals(Optional.of("3"), FinalNumber.extract("From 2.0 to 3."), "a full stop after digits ends a sentence");
        assertEquals(Optional.empty(), FinalNumber.extract("Beijing is the capital."));
        assertEquals(Optional.empty(), FinalNumber.extract(""));
    }

    @Test
    void numbersCompareInCanonicalForm() {
        assertEquals("67", FinalNumber.canonical("067"));
        assertEquals("67", FinalNumber.canonical("67.00"));
        assertEquals("1000", FinalNumber.canonical("1,000"));
        assertEquals("0", FinalNumber.canonical("-0"));
        assertTrue(FinalNumber.isNumber(" 67 "));
        assertTrue(FinalNumber.isNumber("1,000"));
        assertTrue(FinalNumber.isNumber("-2.5"));
        assertFalse(FinalNumber.isNumber("6 7"));
        assertFalse(FinalNumber.isNumber("Beijing"));
        assertFalse(FinalNumber.isNumber("67 years"));
    }
}
