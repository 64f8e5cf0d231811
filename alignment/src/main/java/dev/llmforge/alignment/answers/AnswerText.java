package dev.llmforge.alignment.answers;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Normalised text for matching answers: accents removed (NFKD, combining marks dropped), lower case, full stops
 * dropped ("Washington D.C." → "washington dc"), every other character that is not a letter or digit — apostrophes
 * included, also those written as modifier letters (ʻ, ʼ) — so that a possessive keeps its word: "Niger's" → "niger s", "St. George's" → "st george s" — turned
 * into a space ("Port-au-Prince" → "port au prince"), spaces collapsed. Words stay whole, so a match can be
 * required to start and end at word boundaries.
 */
public final class AnswerText {
    private static final Pattern COMBINING_MARKS = Pattern.compile("\\p{M}+");
    private static final Pattern FULL_STOPS = Pattern.compile("\\.");
    private static final Pattern SEPARATORS = Pattern.compile("[\\p{Lm}\\P{L}&&\\P{N}]+");

    private AnswerText() {
    }

    public static String normalize(String text) {
        String folded = COMBINING_MARKS.matcher(Normalizer.normalize(text, Normalizer.Form.NFKD)).replaceAll("");
        String lower = FULL_STOPS.matcher(folded.toLowerCase(Locale.ROOT)).replaceAll("");
        return SEPARATORS.matcher(lower).replaceAll(" ").strip();
    }

    /** How often the normalised {@code phrase} occurs in the normalised {@code text} as whole words. */
    public static int occurrences(String phrase, String text) {
        String needle = " " + normalize(phrase) + " ";
        String haystack = " " + normalize(text) + " ";
        if (needle.isBlank()) {
            return 0;
        }
        int count = 0;
        for (int at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + needle.length() - 1)) {
            count++;
        }
        return count;
    }
}
