package dev.llmforge.alignment.preference;

import java.util.Locale;

/** What separates the chosen from the rejected response of a preference pair; see {@link ResponseFeatures#differenceFrom}. */
public enum PairKind {
    /** They differ in form: answering vs continuing, ending cleanly, or (all else equal) length. */
    FORM,
    /** They differ only in whether the final answer is right (in the same form). */
    CORRECTNESS;

    /** The name used in files: "form" or "correctness". */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind named {@code label} ("form" or "correctness"). */
    public static PairKind ofLabel(String label) {
        for (PairKind kind : values()) {
            if (kind.label().equals(label)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("expected a pair kind \"form\" or \"correctness\", found \"" + label + "\"");
    }
}
