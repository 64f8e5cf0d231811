package dev.llmforge.alignment.data;

import java.util.Objects;

/**
 * A fine-tuning record as the model trains on it.
 *
 * @param tokens     the ids and which of them the loss covers
 * @param truncation what was cut to fit
 * @param location   the record's file and line
 */
public record SftExample(MaskedTokens tokens, Truncation truncation, RecordLocation location) {
    public SftExample {
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(truncation, "truncation");
        Objects.requireNonNull(location, "location");
    }
}
