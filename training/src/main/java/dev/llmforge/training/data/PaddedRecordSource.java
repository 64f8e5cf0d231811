package dev.llmforge.training.data;

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
    private final long padId;
    private final Long seed;
    private long epoch;
    private int position;
    private int[] order;

    private PaddedRecordSource(Builder b) {
        this.records = List.copyOf(b.records);
        this.batchSize = b.batchSize;
        this.length = b.length;
        this.side = b.side;
        this.padId = b.padId;
        this.seed = b.seed;
        this.order = orderOf(0);
    }

    public static Builder builder(List<Record> records) {
        return new Builder(records);
    }

    @Override
    public Batch next() {
        Record[] rows = new Record[batchSize];
        int longest = 0;
        for (int r = 0; r < batchSize; r++) {
            if (position == records.size()) {
                epoch++;
                position = 0;
                order = orderOf(epoch);
            }
            rows[r] = records.get(order[position++]);
            longest = Math.max(longest, rows[r].length());
        }
        int t = length > 0 ? length : longest;
        long[] ids = new long[batchSize * t];
        long[] lossMask = new long[batchSize * t];
        long[] attention = new long[batchSize * t];
        Arrays.fill(ids, padId);
        long tokens = 0;
        for (int r = 0; r < batchSize; r++) {
            Record rec = rows[r];
            int start = r * t + (side == Side.LEFT ? t - rec.length() : 0); // first real token of the row
            for (int i = 0; i < rec.length(); i++) {
                ids[start + i] = rec.ids[i];
                lossMask[start + i] = rec.lossMask[i] ? 1 : 0;
                attention[start + i] = 1;
            }
            tokens += rec.length();
        }
        return Batch.builder(batchSize).longs(Batch.IDS, ids, batchSize, t).longs(Batch.LOSS_MASK, lossMask, batchSize, t)
                .longs(Batch.ATTENTION_MASK, attention, batchSize, t).tokens(tokens).build();
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
            if (length > 0) {
                for (int i = 0; i < records.size(); i++) {
                    if (records.get(i).length() > length) {
                        throw new IllegalArgumentException("record " + i + " has " + records.get(i).length() + " tokens, more than the length "
                                + length + " it is padded to: truncate it first or raise the length");
                    }
                }
            }
            return new PaddedRecordSource(this);
        }
    }
}
