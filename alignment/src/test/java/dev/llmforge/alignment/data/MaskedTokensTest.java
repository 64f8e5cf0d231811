package dev.llmforge.alignment.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MaskedTokensTest {
    private static final MaskedTokens TOKENS = new MaskedTokens(new int[] {5, 6, 7, 8, 9},
            new boolean[] {false, false, true, true, false});

    @Test
    void inputsAndTargetsAreShiftedByOneAndPaddedByPosition() {
        assertArrayEquals(new int[] {5, 6, 7, 8, 0, 0}, TOKENS.inputs(6, 0));
        assertArrayEquals(new int[] {-1, 7, 8, -1, -1, -1}, TOKENS.targets(6, -1));
        assertArrayEquals(new int[] {5, 6, 7, 8}, TOKENS.inputs(4, 0));
        assertEquals(2, TOKENS.labelCount());
        assertEquals(5, TOKENS.length());
    }

    @Test
    void aRowTooShortIsRefused() {
        assertEquals("a row of 3 positions cannot hold the 4 inputs of 5 ids",
                assertThrows(IllegalArgumentException.class, () -> TOKENS.targets(3, -1)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new MaskedTokens(new int[2], new boolean[3]));
    }
}
