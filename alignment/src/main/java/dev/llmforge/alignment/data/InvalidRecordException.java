package dev.llmforge.alignment.data;

import java.util.function.Supplier;

/**
 * What is wrong with one record, thrown by the parsers and turned into a {@link BadRecord} with the record's
 * location by the reader that knows it.
 */
final class InvalidRecordException extends RuntimeException {
    InvalidRecordException(String reason) {
        super(reason, null, false, false);
    }

    /** Makes a record, turning the {@link IllegalArgumentException} its checks throw into a reason. */
    static <T> T check(Supplier<T> record) {
        try {
            return record.get();
        } catch (IllegalArgumentException e) {
            throw new InvalidRecordException(e.getMessage());
        }
    }

    String reason() {
        return getMessage();
    }
}
