package dev.llmforge.alignment.preference;

import java.util.Objects;

/**
 * One sampled answer to a prompt.
 *
 * @param text             what the model produced after the prompt, without the end-of-turn marker
 * @param endedAtEndOfTurn whether generation stopped because the model closed its turn (it produced the
 *                         template's end-of-turn token or stop string) rather than by running out of tokens
 */
public record Sample(String text, boolean endedAtEndOfTurn) {
    public Sample {
        Objects.requireNonNull(text, "text");
    }
}
