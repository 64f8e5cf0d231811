package dev.llmforge.examples.story.world;

import java.util.Locale;

/**
 * How old the relative was when I was A: the five relations of the story's age problems. The first three have
 * a fixed ratio; the last two a number of years K.
 */
public enum AgeRelation {
    HALF("half my age"),
    THIRD("a third of my age"),
    TWICE("twice my age"),
    OLDER("%s older than me"),
    YOUNGER("%s younger than me");

    private final String phrase;

    AgeRelation(String phrase) {
        this.phrase = phrase;
    }

    /** Whether the relation has a number of years K (older, younger). */
    public boolean hasYears() {
        return this == OLDER || this == YOUNGER;
    }

    /** The phrase after "my sister was": "half my age", "5 years older than me", "1 year younger than me". */
    public String phrase(int years) {
        return hasYears() ? String.format(Locale.ROOT, phrase, years(years)) : phrase;
    }

    /** "1 year", "5 years". */
    static String years(int n) {
        return n == 1 ? "1 year" : n + " years";
    }

    /** Whether I at age {@code thenAge} and a gap of {@code years} make whole, positive ages. */
    public boolean allows(int thenAge, int years) {
        return switch (this) {
            case HALF -> thenAge % 2 == 0;
            case THIRD -> thenAge % 3 == 0;
            case TWICE -> true;
            case OLDER -> years >= 1;
            case YOUNGER -> years >= 1 && years < thenAge;
        };
    }

    /** The relative's age when I was {@code thenAge}. */
    public int relativeAge(int thenAge, int years) {
        return switch (this) {
            case HALF -> thenAge / 2;
            case THIRD -> thenAge / 3;
            case TWICE -> thenAge * 2;
            case OLDER -> thenAge + years;
            case YOUNGER -> thenAge - years;
        };
    }
}
