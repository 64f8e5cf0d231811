package dev.llmforge.tokenizer;

import static dev.llmforge.tokenizer.CharClass.LETTER;
import static dev.llmforge.tokenizer.CharClass.NUMBER;
import static dev.llmforge.tokenizer.CharClass.OTHER;
import static dev.llmforge.tokenizer.CharClass.SPACE;

/**
 * Hand-written scanner equivalent to cl100k's pre-tokenization regex. tiktoken (0.7 and later) writes it
 * {@code '(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s};
 * the older form that Hugging Face conversions carry lacks {@code \s++$}, so a run of spaces that ends the text
 * and holds a line break is cut after its last line break instead of kept whole. With {@code maxDigits} 1 instead of
 * 3 ({@code \p{N}} for {@code \p{N}{1,3}+}) every digit is a piece of its own, so that no merge joins digits.
 */
final class Cl100kSplitter {
    private Cl100kSplitter() {
    }

    /**
     * End of the piece that the regex matches at {@code start} in {@code text[start, limit)}.
     *
     * @param trailingSpacesWhole whether the {@code \s++$} alternative is part of the pattern
     * @param maxDigits           the longest run of digits in one piece: 3 in cl100k, 1 to split every digit
     */
    static int nextEnd(String text, int start, int limit, boolean trailingSpacesWhole, int maxDigits) {
        char c = text.charAt(start);
        if (c == '\'') {
            int contraction = contractionLength(text, start, limit);
            if (contraction > 0) {
                return start + contraction;
            }
        }
        byte cls = CharClass.at(text, start, limit);
        if (cls == LETTER) {
            return CharClass.runEnd(text, start, limit, LETTER);
        }
        int width = CharClass.width(text, start, limit);
        if (cls != NUMBER && c != '\r' && c != '\n' && start + width < limit
                && CharClass.at(text, start + width, limit) == LETTER) {
            return CharClass.runEnd(text, start + width, limit, LETTER);
        }
        if (cls == NUMBER) {
            int end = start + width;
            for (int digits = 1; digits < maxDigits && end < limit && CharClass.at(text, end, limit) == NUMBER; digits++) {
                end += CharClass.width(text, end, limit);
            }
            return end;
        }
        int punctuationStart = -1;
        if (cls == OTHER) {
            punctuationStart = start;
        } else if (c == ' ' && start + 1 < limit && CharClass.at(text, start + 1, limit) == OTHER) {
            punctuationStart = start + 1;
        }
        if (punctuationStart >= 0) {
            int end = CharClass.runEnd(text, punctuationStart, limit, OTHER);
            while (end < limit && isLineBreak(text.charAt(end))) {
                end++;
            }
            return end;
        }
        return whitespaceEnd(text, start, limit, trailingSpacesWhole);
    }

    private static int whitespaceEnd(String text, int start, int limit, boolean trailingSpacesWhole) {
        int end = CharClass.runEnd(text, start, limit, SPACE);
        if (end == limit && trailingSpacesWhole) {
            return end; // \s++$
        }
        for (int i = end - 1; i >= start; i--) {
            if (isLineBreak(text.charAt(i))) {
                return i + 1; // \s*[\r\n]
            }
        }
        if (end == limit || end - start == 1) {
            return end; // \s+(?!\S) at the end of the text, or a single \s
        }
        return end - 1; // \s+(?!\S) leaves the last space to prefix the next piece
    }

    private static boolean isLineBreak(char c) {
        return c == '\r' || c == '\n';
    }

    /** Length of {@code '(?i:[sdmt]|ll|ve|re)} at {@code start}, with Unicode simple case folding (ſ folds to s). */
    private static int contractionLength(String text, int start, int limit) {
        if (start + 1 >= limit) {
            return 0;
        }
        char a = text.charAt(start + 1);
        switch (a) {
            case 's': case 'S': case '\u017F':
            case 'd': case 'D':
            case 'm': case 'M':
            case 't': case 'T':
                return 2;
            default:
                break;
        }
        if (start + 2 >= limit) {
            return 0;
        }
        char la = Character.toLowerCase(a);
        char lb = Character.toLowerCase(text.charAt(start + 2));
        boolean asciiPair = a < 128 && text.charAt(start + 2) < 128;
        if (asciiPair && (la == 'l' && lb == 'l' || la == 'v' && lb == 'e' || la == 'r' && lb == 'e')) {
            return 3;
        }
        return 0;
    }
}
