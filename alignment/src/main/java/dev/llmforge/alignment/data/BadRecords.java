package dev.llmforge.alignment.data;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * What to do with records that cannot be used: fail at the first one (the default), or skip them, counting them
 * and keeping the first few reasons for the report. One instance can follow a whole job — reading several files,
 * then tokenizing — so that its summary covers every step. Not thread-safe.
 */
public final class BadRecords {
    /** How many skipped records keep their reason for {@link #summary()}. */
    public static final int REASONS_KEPT = 5;

    private final boolean skip;
    private final List<BadRecord> first = new ArrayList<>();
    private int count;

    private BadRecords(boolean skip) {
        this.skip = skip;
    }

    /** Fails at the first bad record. */
    public static BadRecords failFast() {
        return new BadRecords(false);
    }

    /** Skips bad records, counting them. */
    public static BadRecords skip() {
        return new BadRecords(true);
    }

    /** {@link #skip()} when {@code skipBadRecords}, else {@link #failFast()}. */
    public static BadRecords of(boolean skipBadRecords) {
        return skipBadRecords ? skip() : failFast();
    }

    /**
     * Reports a bad record.
     *
     * @throws BadRecordException unless bad records are skipped
     */
    public void report(RecordLocation location, String reason) throws BadRecordException {
        BadRecord record = new BadRecord(location, reason);
        if (!skip) {
            throw new BadRecordException(record);
        }
        count++;
        if (first.size() < REASONS_KEPT) {
            first.add(record);
        }
    }

    /**
     * {@code convert} applied to each of {@code items}, in order; an item it refuses with an
     * {@link InvalidRecordException} is reported at its {@code location}.
     */
    <T, R> List<R> convertEach(List<T> items, Function<T, RecordLocation> location, Function<T, R> convert)
            throws BadRecordException {
        List<R> results = new ArrayList<>(items.size());
        for (T item : items) {
            try {
                results.add(convert.apply(item));
            } catch (InvalidRecordException e) {
                report(location.apply(item), e.reason());
            }
        }
        return results;
    }

    /** How many bad records were skipped. */
    public int count() {
        return count;
    }

    /** The first {@link #REASONS_KEPT} skipped records. */
    public List<BadRecord> first() {
        return List.copyOf(first);
    }

    /** E.g. {@code "skipped 12 bad records; the first 5:\n  train.jsonl:4: ..."}, or "no bad records". */
    public String summary() {
        if (count == 0) {
            return "no bad records";
        }
        StringBuilder text = new StringBuilder();
        text.append("skipped ").append(count).append(count == 1 ? " bad record" : " bad records");
        text.append(count > first.size() ? "; the first " + first.size() + ":" : ":");
        for (BadRecord record : first) {
            text.append("\n  ").append(record);
        }
        return text.toString();
    }
}
