package dev.llmforge.alignment.answers;

import java.util.Locale;
import java.util.Set;

/**
 * Sentence boundaries good enough for short answers: a sentence ends at a line break, at '?' or '!', or at a
 * full stop followed by white space or the end of the text, unless the full stop closes an abbreviation — a
 * single letter or dotted initials ("D.C.", "U.S.") or one of St, Mt, Mr, Mrs, Ms, Dr ("St. George's").
 */
public final class Sentences {
    private static final Set<String> ABBREVIATIONS = Set.of("st", "mt", "mr", "mrs", "ms", "dr");

    private Sentences() {
    }

    /** The first sentence of {@code text}, leading white space skipped, with its closing punctuation. */
    public static String first(String text) {
        String s = text.stripLeading();
        return s.substring(0, endOfFirst(s));
    }

    /** The text after the first sentence (and the white space that follows it). */
    public static String afterFirst(String text) {
        String s = text.stripLeading();
        return s.substring(endOfFirst(s)).stripLeading();
    }

    private static int endOfFirst(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r') {
                return i;
            }
            if (c == '?' || c == '!') {
                return i + 1;
            }
            if (c == '.' && (i + 1 == s.length() || Character.isWhitespace(s.charAt(i + 1))) && !closesAbbreviation(s, i)) {
                return i + 1;
            }
        }
        return s.length();
    }

    private static boolean closesAbbreviation(String s, int dot) {
        int start = dot;
        while (start > 0 && !Character.isWhitespace(s.charAt(start - 1))) {
            start--;
        }
        String word = s.substring(start, dot);
        return word.matches("(\\p{L}\\.)*\\p{L}") || ABBREVIATIONS.contains(word.toLowerCase(Locale.ROOT));
    }
}
