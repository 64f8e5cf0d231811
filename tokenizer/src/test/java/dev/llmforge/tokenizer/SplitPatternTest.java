package dev.llmforge.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SplitPatternTest {
    /**
     * Each scanner cuts random text exactly like the JDK's regex engine running the reference pattern, with
     * Unicode classes ({@code \s} = White_Space) and Unicode case folding, on the same Unicode tables.
     */
    @ParameterizedTest
    @EnumSource(SplitPattern.class)
    void scannerEqualsJavaRegexOnRandomText(SplitPattern pattern) {
        Pattern regex = Pattern.compile(pattern.regex(), Pattern.UNICODE_CHARACTER_CLASS);
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            String text = RandomText.next(random, 30);
            assertEquals(regexPieces(regex, text), pattern.split(text), text);
        }
    }

    @Test
    void gpt2PiecesOfHandPickedText() {
        assertEquals(List.of("Hello", ",", " world", "'s", " ", " 12", " !!", "\n\n", " ok", "  "),
                SplitPattern.GPT2.split("Hello, world's  12 !!\n\n ok  "));
        assertEquals(List.of("I", "'", "M"), SplitPattern.GPT2.split("I'M"));
    }

    @Test
    void cl100kPiecesOfHandPickedText() {
        assertEquals(List.of("I", "'M", " here", ",", "123", "45", " (", "abc"),
                SplitPattern.CL100K.split("I'M here,12345 (abc"));
        assertEquals(List.of("'s", "up", "'hello"), SplitPattern.CL100K.split("'sup'hello"));
        assertEquals(List.of("a", "  ", "\tfoo"), SplitPattern.CL100K.split("a  \tfoo"));
    }

    @Test
    void cl100kDigitsCutsEveryDigitApart() {
        assertEquals(List.of("Now", " I", "'m", " ", "7", "0", ",", " so", " ", "1", "2", "3", " -", " ", "4", " =", " ", "1", "1", "9", "."),
                SplitPattern.CL100K_DIGITS.split("Now I'm 70, so 123 - 4 = 119."));
    }

    @Test
    void cl100kKeepsTrailingSpacesWholeWhereTheLegacyFormCutsAfterTheLastLineBreak() {
        assertEquals(List.of("x", " \n\n  "), SplitPattern.CL100K.split("x \n\n  "));
        assertEquals(List.of("x", " \n\n", "  "), SplitPattern.CL100K_LEGACY.split("x \n\n  "));
    }

    private static List<String> regexPieces(Pattern regex, String text) {
        List<String> pieces = new ArrayList<>();
        Matcher matcher = regex.matcher(text);
        while (matcher.find()) {
            pieces.add(matcher.group());
        }
        return pieces;
    }
}
