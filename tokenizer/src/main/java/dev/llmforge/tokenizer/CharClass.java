package dev.llmforge.tokenizer;

/**
 * The four character classes that the GPT-2 and cl100k split patterns distinguish: {@code \p{L}},
 * {@code \p{N}}, {@code \s} (the Unicode White_Space property, as in the Rust {@code regex} crate
 * that tiktoken uses) and everything else. Unicode data are those of the running JVM (Java 17:
 * Unicode 13); a lone surrogate is "other", as the U+FFFD that replaces it when encoding.
 */
final class CharClass {
    static final byte OTHER = 0;
    static final byte LETTER = 1;
    static final byte NUMBER = 2;
    static final byte SPACE = 3;

    private static final byte[] BMP = new byte[Character.MAX_VALUE + 1];

    static {
        for (int c = 0; c <= Character.MAX_VALUE; c++) {
            BMP[c] = computeClass(c);
        }
    }

    private CharClass() {
    }

    /** Class of the code point starting at {@code i}; a high surrogate whose pair is cut by {@code limit} counts alone. */
    static byte at(String s, int i, int limit) {
        char c = s.charAt(i);
        if (!Character.isHighSurrogate(c) || i + 1 >= limit || !Character.isLowSurrogate(s.charAt(i + 1))) {
            return BMP[c];
        }
        return computeClass(Character.toCodePoint(c, s.charAt(i + 1)));
    }

    /** Number of chars (1 or 2) of the code point starting at {@code i}, not reaching past {@code limit}. */
    static int width(String s, int i, int limit) {
        return Character.isHighSurrogate(s.charAt(i)) && i + 1 < limit && Character.isLowSurrogate(s.charAt(i + 1))
                ? 2 : 1;
    }

    /** End of the run of code points of class {@code cls} starting at {@code i}. */
    static int runEnd(String s, int i, int limit, byte cls) {
        int j = i;
        while (j < limit) {
            char c = s.charAt(j);
            if (Character.isSurrogate(c)) {
                if (at(s, j, limit) != cls) {
                    return j;
                }
                j += width(s, j, limit);
            } else if (BMP[c] == cls) {
                j++;
            } else {
                return j;
            }
        }
        return j;
    }

    private static boolean isWhiteSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F
                || cp == 0x205F || cp == 0x3000;
    }

    private static byte computeClass(int cp) {
        switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER:
            case Character.LOWERCASE_LETTER:
            case Character.TITLECASE_LETTER:
            case Character.MODIFIER_LETTER:
            case Character.OTHER_LETTER:
                return LETTER;
            case Character.DECIMAL_DIGIT_NUMBER:
            case Character.LETTER_NUMBER:
            case Character.OTHER_NUMBER:
                return NUMBER;
            default:
                return isWhiteSpace(cp) ? SPACE : OTHER;
        }
    }
}
