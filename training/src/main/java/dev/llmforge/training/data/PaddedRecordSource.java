package dev.llmforge.training.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Batches of variable-length records padded to one length: {@link Batch#IDS} (B, T) with the
 * padding id where there is no token, {@link Batch#LOSS_MASK} (B, T) with 1 where the record marks
 * the token as a target of the loss, and {@link Batch#ATTENTION_MASK} (B, T) with 1 for every real
 * token. Padding goes after the tokens ({@link Side#RIGHT}, for training) or before them
 * ({@link Side#LEFT}, for generation); T is a fixed length or the longest record of each batch.
 * Masks mark positions, so a padding id equal to a real token's id (PAD == EOS) changes nothing.
 *
 * <p>{@linkplain Builder#packing Packing} puts as many whole records in a row of the fixed length as
 * fit, in order (a record that does not fit starts the next row; none is split), padding at the row's
 * end: the batch then carries {@link Batch#SEGMENT_IDS} (1, 2, ... for the records of a row, 0 for
 * padding) instead of the attention mask, so that a model computes each record as if it were alone.
 *
 * <p>Records come in epochs: each epoch visits every record once, in an order shuffled from the
 * seed and the epoch number (or in the given order); the stream never ends, and a batch that
 * reaches the end of an epoch takes its last rows from the next. The state is the epoch and the
 * position in it. {@link Batch#tokens()} counts real tokens.
 */
public final class PaddedRecordSource implements BatchSource {
    private static final String EPOCH = "epoch";
    private static final String POSITION = "position";
    private static final long EPOCH_STRIDE = 0x9E3779B97F4A7C15L;

    /** Where the padding goes. */
    public enum Side { LEFT, RIGHT }

    /**
     * A record: its token ids, and for each token whether the loss covers it (as a target, i.e.
     * predicted from the tokens before it).
     */
    public record Record(long[] ids, boolean[] lossMask) {
        public Record {
            Objects.requireNonNull(ids, "ids");
            Objects.requireNonNull(lossMask, "lossMask");
            if (ids.length == 0) {
                throw new IllegalArgumentException("a record needs at least one token");
            }
            if (lossMask.length != ids.length) {
                throw new IllegalArgumentException("a record's loss mask needs one value per token: " + ids.length + " tokens, "
                        + lossMask.length + " mask values");
            }
            ids = ids.clone();
            lossMask = lossMask.clone();
        }

        /** A record whose every token is a target. */
        public static Record allTargets(long... ids) {
            boolean[] mask = new boolean[ids.length];
            Arrays.fill(mask, true);
            return new Record(ids, mask);
        }

        @Override
        public long[] ids() {
            return ids.clone();
        }

        @Override
        public boolean[] lossMask() {
            return lossMask.clone();
        }

        public int length() {
            return ids.length;
        }
    }

    private final List<Record> records;
    private final int batchSize;
    private final int length;
    private final Side side;
    private final boolean packing;
    private final long padId;
    private final Long seed;
    private long epoch;
    private int position;
    private int[] order;

    private PaddedRecordSource(List<Record> records, int batchSize, int length, Side side, boolean packing, long padId, Long seed) {
        this.records = records;
        this.batchSize = batchSize;
        this.length = length;
        this.side = side;
        this.packing = packing;
        this.padId = padId;
        this.seed = seed;
        this.order = orderOf(0);
    }

    public static Builder builder(List<Record> records) {
        return new Builder(records);
    }

    @Override
    public Batch next() {
        List<List<Record>> rows = new ArrayList<>(batchSize);
        int longest = 0;
        for (int r = 0; r < batchSize; r++) {
            List<Record> row = nextRow();
            rows.add(row);
            longest = Math.max(longest, row.stream().mapToInt(Record::length).sum());
        }
        int t = length > 0 ? length : longest;
        long[] ids = new long[batchSize * t];
        long[] lossMask = new long[batchSize * t];
        long[] real = new long[batchSize * t]; // the attention mask, or the segment ids when packing
        Arrays.fill(ids, padId);
        long tokens = 0;
        for (int r = 0; r < batchSize; r++) {
            List<Record> row = rows.get(r);
            int filled = row.stream().mapToInt(Record::length).sum();
            int at = r * t + (side == Side.LEFT ? t - filled : 0); // first real token of the row
            for (int s = 0; s < row.size(); s++) {
                Record rec = row.get(s);
                for (int i = 0; i < rec.length(); i++, at++) {
                    ids[at] = rec.ids[i];
                    lossMask[at] = rec.lossMask[i] ? 1 : 0;
                    real[at] = packing ? s + 1 : 1;
                }
            }
            tokens += filled;
        }
        return Batch.builder(batchSize).longs(Batch.IDS, ids, batchSize, t).longs(Batch.LOSS_MASK, lossMask, batchSize, t)
                .longs(packing ? Batch.SEGMENT_IDS : Batch.ATTENTION_MASK, real, batchSize, t).tokens(tokens).build();
    }

    /** The records of the next row: one, or when packing as many as fit in order. */
    private List<Record> nextRow() {
        List<Record> row = new ArrayList<>();
        int used = 0;
        do {
            Record next = upcoming();
            row.add(next);
            used += next.length();
            position++;
        } while (packing && used + upcoming().length() <= length);
        return row;
    }

    /** The record at the current position, starting the next epoch when this one is used up. */
    private Record upcoming() {
        if (position == records.size()) {
            epoch++;
            position = 0;
            order = orderOf(epoch);
        }
        return records.get(order[position]);
    }

    /**
     * How the rows of one epoch fill: batches drawn, positions they hold and real tokens among them,
     * from a fresh source built the same way (this one does not move). The batch that finishes the
     * epoch is counted whole.
     */
    public Fill epochFill() {
        PaddedRecordSource copy = new PaddedRecordSource(records, batchSize, length, side, packing, padId, seed);
        long batches = 0;
        long positions = 0;
        long tokens = 0;
        while (copy.epoch == 0 && copy.position < records.size()) {
            Batch b = copy.next();
            batches++;
            positions += (long) b.rows() * b.shape(Batch.IDS)[1];
            tokens += b.tokens();
        }
        return new Fill(batches, positions, tokens);
    }

    /** The batches of an epoch, the positions they hold and how many of those are real tokens (the rest is padding). */
    public record Fill(long batches, long positions, long tokens) {
        /** The share of positions that are padding. */
        public double paddingFraction() {
            return positions == 0 ? 0 : (double) (positions - tokens) / positions;
        }
    }

    /** The record order of an epoch: a seeded shuffle (Fisher–Yates), or the given order. */
    private int[] orderOf(long e) {
        if (seed != null) {
            return new Rng(seed + e * EPOCH_STRIDE).permutation(records.size());
        }
        int[] o = new int[records.size()];
        for (int i = 0; i < o.length; i++) {
            o[i] = i;
        }
        return o;
    }

    /** Epochs started before the current one (0 during the first). */
    public long epoch() {
        return epoch;
    }

    @Override
    public Map<String, Long> state() {
        return Map.of(EPOCH, epoch, POSITION, (long) position);
    }

    @Override
    public void restore(Map<String, Long> state) {
        long e = BatchSource.required(state, EPOCH, "padded records");
        long p = BatchSource.required(state, POSITION, "padded records");
        if (e < 0 || p < 0 || p > records.size()) {
            throw new IllegalArgumentException("padded records: saved position " + p + " of epoch " + e + " does not fit " + records.size()
                    + " records");
        }
        epoch = e;
        position = (int) p;
        order = orderOf(e);
    }

    /** Settings of a {@link PaddedRecordSource}; {@link #batchSize} is required. */
    public static final class Builder {
        private final List<Record> records;
        private int batchSize;
        private int length;
        private Side side = Side.RIGHT;
        private boolean packing;
        private long padId;
        private Long seed;

        private Builder(List<Record> records) {
            if (records.isEmpty()) {
                throw new IllegalArgumentException("a padded record source needs at least one record");
            }
            this.records = List.copyOf(records);
        }

        /** Records per batch (B). */
        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        /** Pads every batch to {@code t} positions (one shape for every step); default: the longest record of each batch. */
        public Builder length(int t) {
            if (t <= 0) {
                throw new IllegalArgumentException("length must be positive, got " + t);
            }
            length = t;
            return this;
        }

        /** Where padding goes (default {@link Side#RIGHT}). */
        public Builder padding(Side v) {
            side = Objects.requireNonNull(v);
            return this;
        }

        /**
         * Several whole records a row, in order, as many as fit in the fixed {@link #length} (default false:
         * one record a row); the batch then carries {@link Batch#SEGMENT_IDS} instead of the attention mask.
         * Padding goes to the right.
         */
        public Builder packing(boolean v) {
            packing = v;
            return this;
        }

        /** The id written where there is no token (default 0; the masks, not this id, tell padding apart). */
        public Builder padId(long v) {
            if (v < 0) {
                throw new IllegalArgumentException("padding id must be >= 0, got " + v);
            }
            padId = v;
            return this;
        }

        /** Shuffles the records every epoch from this seed (default: the given order, every epoch). */
        public Builder shuffle(long v) {
            seed = v;
            return this;
        }

        public PaddedRecordSource build() {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
            }
            if (packing && (length == 0 || side != Side.RIGHT)) {
                throw new IllegalArgumentException("packing needs a fixed row length (Builder.length) and right padding, got length "
                        + (length == 0 ? "unset" : length) + " and " + side + " padding");
            }
            if (length > 0) {
                for (int i = 0; i < records.size(); i++) {
                    if (records.get(i).length() > length) {
                        throw new IllegalArgumentException("record " + i + " has " + records.get(i).length() + " tokens, more than the length "
                                + length + " it is padded to: truncate it first or raise the length");
                    }
                }
            }
            return new PaddedRecordSource(List.copyOf(records), batchSize, length, side, packing, padId, seed);
        }
    }
}
