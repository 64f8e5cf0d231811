package dev.llmforge.tokenizer;

import static dev.llmforge.tokenizer.CharClass.SPACE;

/**
 * Hand-written scanner equivalent to GPT-2's pre-tokenization regex
 * {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}
 * (tiktoken's r50k form with possessive quantifiers matches the same pieces).
 */
final class Gpt2Splitter {
    private Gpt2Splitter() {
    }

    /** End of the piece that the regex matches at {@code start} in {@code text[start, limit)}. */
    static int nextEnd(String text, int start, int limit) {
        char c = text.charAt(start);
        if (c == '\'') {
            int contraction = contractionLength(text, start, limit);
            if (contraction > 0) {
                return start + contraction;
            }
        }
        if (c == ' ' && start + 1 < limit) {
            byte next = CharClass.at(text, start + 1, limit);
            if (next != SPACE) {
                return CharClass.runEnd(text, start + 1, limit, next);
            }
        }
        byte cls = CharClass.at(text, start, limit);
        if (cls != SPACE) {
            return CharClass.runEnd(text, start, limit, cls);
        }
        int end = CharClass.runEnd(text, start, limit, SPACE);
        if (end == limit || end - start == 1) {
            return end; // "\s+(?!\S)" takes a run that ends the text; "\s+" takes a single space
        }
        return end - 1; // "\s+(?!\S)" leaves the last space to prefix the next piece
    }

    private static int contractionLength(String text, int start, int limit) {
        if (start + 1 >= limit) {
            return 0;
        }
        char a = text.charAt(start + 1);
        if (a == 's' || a == 't' || a == 'm' || a == 'd') {
            return 2;
        }
        if (start + 2 >= limit) {
            return 0;
        }
        char b = text.charAt(start + 2);
        if ((a == 'r' || a == 'v') && b == 'e' || a == 'l' && b == 'l') {
            return 3;
        }
        return 0;
    }
}
