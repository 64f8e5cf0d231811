package dev.llmforge.alignment.data;

import java.io.IOException;

/** A record of a data file that cannot be used; the message is {@code file:line: what is wrong}. */
public final class BadRecordException extends IOException {
    private final transient BadRecord record;

    public BadRecordException(BadRecord record) {
        super(record.toString());
        this.record = record;
    }

    /** The record's location and what is wrong with it. */
    public BadRecord badRecord() {
        return record;
    }
}
