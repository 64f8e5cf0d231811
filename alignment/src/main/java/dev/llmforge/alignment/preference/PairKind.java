package dev.llmforge.alignment.preference;

import java.util.Locale;

/** What separates the chosen from the rejected response of a preference pair; see {@link ResponseFeatures#differenceFrom}. */
public enum PairKind {
    /** They differ in form: answering vs continuing, or ending cleanly. */
    FORM,
    /** They differ only in whether the final answer is right (in the same form). */
    CORRECTNESS,
    /** They differ in length only (both equally right, answering and ending cleanly): the labeler prefers the shorter. */
    LENGTH;

    /** The name used in files: "form", "correctness" or "length". */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind named {@code label} ("form", "correctness" or "length"). */
    public static PairKind ofLabel(String label) {
        for (PairKind kind : values()) {
            if (kind.label().equals(label)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("expected a pair kind \"form\", \"correctness\" or \"length\", found \"" + label + "\"");
    }
}
