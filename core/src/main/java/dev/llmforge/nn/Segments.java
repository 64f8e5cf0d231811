package dev.llmforge.nn;

import dev.llmforge.tensor.Tensor;
import java.util.HashSet;
import java.util.Set;

/**
 * Which record each token of a packed batch belongs to: the host view of segment ids (B, T), where
 * {@code 1, 2, 3, ...} number the records of a row in order and {@code 0} marks padding. Several
 * records share a row (packing), and each must be computed as if it were alone: its positions
 * restart at 0 ({@link #positions()}, Hugging Face's {@code position_ids} of a packed row) and a token
 * attends only to earlier tokens of its own record ({@link #sameRecord}), the block-diagonal causal
 * mask. A record's tokens are contiguous; padding (0) may sit between records or at either end of a row, usually at its end.
 */
public final class Segments {
    private final int batch;
    private final int length;
    private final int[] ids; // (B, T), 0 = padding

    private Segments(int[] ids, int batch, int length) {
        this.batch = batch;
        this.length = length;
        this.ids = ids;
        for (int b = 0; b < batch; b++) {
            checkRow(b);
        }
    }

    /**
     * Reads segment ids (B, T) of any integer-valued dtype.
     *
     * @throws IllegalArgumentException if they are not (B, T), an entry is negative or not whole, a
     *                                  record's tokens are split by another record, or a row has no record
     */
    public static Segments of(Tensor segmentIds) {
        if (segmentIds.rank() != 2) {
            throw new IllegalArgumentException("segment ids must be (B, T), got " + segmentIds.shape());
        }
        double[] values = segmentIds.toDoubleArray();
        long[] whole = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            whole[i] = (long) values[i];
            if (whole[i] != values[i]) {
                throw new IllegalArgumentException("segment ids must be whole numbers, found " + values[i] + " at row " + i / segmentIds.dim(1)
                        + ", position " + i % segmentIds.dim(1));
            }
        }
        return of(whole, segmentIds.dim(0), segmentIds.dim(1));
    }

    /** Segment ids from a row-major array (B·T): 0 for padding, 1, 2, ... for the records of a row. */
    public static Segments of(long[] segmentIds, int batch, int length) {
        if (segmentIds.length != (long) batch * length) {
            throw new IllegalArgumentException("segment ids of " + batch + " x " + length + " need " + batch * length + " entries, got "
                    + segmentIds.length);
        }
        int[] ids = new int[segmentIds.length];
        for (int i = 0; i < ids.length; i++) {
            if (segmentIds[i] < 0 || segmentIds[i] > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("segment ids must be 0 (padding) or a record number >= 1, found " + segmentIds[i]
                        + " at row " + i / length + ", position " + i % length);
            }
            ids[i] = (int) segmentIds[i];
        }
        return new Segments(ids, batch, length);
    }

    private void checkRow(int row) {
        Set<Integer> ended = new HashSet<>(); // records of this row already left
        int previous = 0;
        boolean any = false;
        for (int t = 0; t < length; t++) {
            int s = segment(row, t);
            any |= s != 0;
            if (s == previous) {
                continue;
            }
            if (previous != 0) {
                ended.add(previous);
            }
            if (s != 0 && ended.contains(s)) {
                throw new IllegalArgumentException("record " + s + " of row " + row + " resumes at position " + t
                        + " after another record or padding: a record's tokens must be contiguous");
            }
            previous = s;
        }
        if (!any) {
            throw new IllegalArgumentException("segment ids row " + row + " has no record (all " + length + " entries are 0)");
        }
    }

    public int batch() {
        return batch;
    }

    public int length() {
        return length;
    }

    /** The record of the token at {@code t} in {@code row}, 0 for padding. */
    public int segment(int row, int t) {
        return ids[row * length + t];
    }

    /** Whether a query at {@code query} may see the key at {@code key} of the same row: both belong to one record. */
    public boolean sameRecord(int row, int query, int key) {
        int s = segment(row, query);
        return s != 0 && s == segment(row, key);
    }

    /**
     * True if each row holds at most one record, followed by padding: then positions are indices and
     * plain causal attention is already block-diagonal.
     */
    public boolean isOneRecordPerRow() {
        for (int b = 0; b < batch; b++) {
            int first = segment(b, 0);
            for (int t = 0; t < length; t++) {
                int s = segment(b, t);
                if (s != 0 && (s != first || t > 0 && segment(b, t - 1) == 0)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Positions (B·T), row-major: each token's index within its record (restarting at 0 where a
     * record starts); padding gets 0 (nothing reads it).
     */
    public long[] positions() {
        long[] p = new long[batch * length];
        for (int b = 0; b < batch; b++) {
            long next = 0;
            for (int t = 0; t < length; t++) {
                int s = segment(b, t);
                if (t > 0 && s != segment(b, t - 1)) {
                    next = 0;
                }
                p[b * length + t] = s == 0 ? 0 : next++;
            }
        }
        return p;
    }
}
