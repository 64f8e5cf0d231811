package dev.llmforge.examples.story.world;

import java.util.Locale;

/** Whose age an age problem asks about; a worked solution calls a sister "she" and a brother "he". */
public enum Relative {
    SISTER("she"),
    BROTHER("he"),
    COUSIN(null),
    FRIEND(null);

    private final String pronoun;

    Relative(String pronoun) {
        this.pronoun = pronoun;
    }

    /** "sister", "brother", "cousin", "friend". */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** How a solution refers to them after the first mention: "she", "he", "my cousin", "my friend". */
    public String referredTo() {
        return pronoun != null ? pronoun : "my " + word();
    }
}
