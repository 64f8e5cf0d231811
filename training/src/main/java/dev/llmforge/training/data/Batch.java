package dev.llmforge.training.data;

import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One micro-batch on the host: named arrays whose first dimension is the batch's rows (token ids,
 * next-token targets, masks, per-row numbers), made by a {@link BatchSource} and uploaded as a
 * {@link TensorBatch} for an objective. Integer fields become I64 tensors, float fields F32.
 */
public final class Batch {
    /** Token ids (B, T). */
    public static final String IDS = "ids";
    /** Next-token targets (B, T): the ids shifted by one position. */
    public static final String TARGETS = "targets";
    /** (B, T) 0/1: 1 where the token at that position is a target the loss covers. */
    public static final String LOSS_MASK = "loss_mask";
    /** (B, T) 0/1: 1 for a real token, 0 for padding (Hugging Face's convention). */
    public static final String ATTENTION_MASK = "attention_mask";
    /**
     * (B, T) of packed rows, in place of {@link #ATTENTION_MASK}: the record each token belongs to,
     * {@code 1, 2, ...} within a row, 0 for padding (core's {@code Segments}: positions restart and
     * attention stays within each record).
     */
    public static final String SEGMENT_IDS = "segment_ids";

    private final Map<String, Field> fields;
    private final int rows;
    private final long tokens;

    /** The values of one field, row-major, as integers or floats. */
    private record Field(long[] longs, float[] floats, int[] shape) {
        Tensor upload(TensorFactory tensors) {
            return longs != null ? tensors.of(longs, shape) : tensors.of(floats, shape);
        }
    }

    private Batch(Map<String, Field> fields, int rows, long tokens) {
        this.fields = Collections.unmodifiableMap(fields);
        this.rows = rows;
        this.tokens = tokens;
    }

    /** A batch of {@code rows} rows. */
    public static Builder builder(int rows) {
        return new Builder(rows);
    }

    /** The batch size B. */
    public int rows() {
        return rows;
    }

    /** Tokens this batch trains on (for throughput and the tokens-seen count). */
    public long tokens() {
        return tokens;
    }

    /** Field names, in the order they were added. */
    public Set<String> names() {
        return fields.keySet();
    }

    /** The values of an integer field (not a copy: do not modify). */
    public long[] longs(String name) {
        Field f = field(name);
        if (f.longs == null) {
            throw new IllegalArgumentException("batch field '" + name + "' holds floats, not integers");
        }
        return f.longs;
    }

    /** The values of a float field (not a copy: do not modify). */
    public float[] floats(String name) {
        Field f = field(name);
        if (f.floats == null) {
            throw new IllegalArgumentException("batch field '" + name + "' holds integers, not floats");
        }
        return f.floats;
    }

    public int[] shape(String name) {
        return field(name).shape.clone();
    }

    private Field field(String name) {
        Field f = fields.get(name);
        if (f == null) {
            throw new IllegalArgumentException("the batch has no field '" + name + "'; it has " + fields.keySet());
        }
        return f;
    }

    /**
     * Rows {@code [from, to)} of every field, as a batch that counts {@code tokens} tokens (the caller
     * knows what its rows stand for: a replica's share counts the whole global batch's, see
     * {@link ReplicaShare}).
     */
    public Batch rows(int from, int to, long tokens) {
        if (from < 0 || to > rows || from >= to) {
            throw new IllegalArgumentException("rows [" + from + ", " + to + ") are not a non-empty range of the batch's " + rows + " rows");
        }
        Builder b = builder(to - from).tokens(tokens);
        fields.forEach((name, f) -> {
            int[] shape = f.shape.clone();
            int perRow = Math.toIntExact(Arrays.stream(shape).skip(1).asLongStream().reduce(1, (x, y) -> x * y));
            shape[0] = to - from;
            if (f.longs != null) {
                b.longs(name, Arrays.copyOfRange(f.longs, from * perRow, to * perRow), shape);
            } else {
                b.floats(name, Arrays.copyOfRange(f.floats, from * perRow, to * perRow), shape);
            }
        });
        return b.build();
    }

    /** Every field as a tensor made by {@code tensors}, in the current scope, in field order. */
    public TensorBatch upload(TensorFactory tensors) {
        Map<String, Tensor> uploaded = new LinkedHashMap<>();
        fields.forEach((name, f) -> uploaded.put(name, f.upload(tensors)));
        return new TensorBatch(uploaded);
    }

    /** Adds fields one by one; each must have {@code rows} as its first dimension. */
    public static final class Builder {
        private final int rows;
        private final Map<String, Field> fields = new LinkedHashMap<>();
        private long tokens;

        private Builder(int rows) {
            if (rows <= 0) {
                throw new IllegalArgumentException("a batch needs at least one row, got " + rows);
            }
            this.rows = rows;
        }

        /** An integer field (uploaded as I64) of this shape; the array is taken, not copied. */
        public Builder longs(String name, long[] values, int... shape) {
            return add(name, new Field(values, null, check(name, values.length, shape)));
        }

        /** A float field (uploaded as F32) of this shape; the array is taken, not copied. */
        public Builder floats(String name, float[] values, int... shape) {
            return add(name, new Field(null, values, check(name, values.length, shape)));
        }

        /** The tokens the batch trains on (default 0). */
        public Builder tokens(long n) {
            if (n < 0) {
                throw new IllegalArgumentException("token count must be >= 0, got " + n);
            }
            tokens = n;
            return this;
        }

        private Builder add(String name, Field field) {
            if (fields.putIfAbsent(name, field) != null) {
                throw new IllegalArgumentException("batch field '" + name + "' is already set");
            }
            return this;
        }

        private int[] check(String name, int length, int[] shape) {
            if (shape.length == 0 || shape[0] != rows) {
                throw new IllegalArgumentException("batch field '" + name + "' must have " + rows + " rows first, got shape "
                        + Arrays.toString(shape));
            }
            long numel = 1;
            for (int d : shape) {
                numel *= d;
            }
            if (numel != length) {
                throw new IllegalArgumentException("batch field '" + name + "' of shape " + Arrays.toString(shape) + " needs " + numel
                        + " values, got " + length);
            }
            return shape.clone();
        }

        public Batch build() {
            if (fields.isEmpty()) {
                throw new IllegalStateException("a batch needs at least one field");
            }
            return new Batch(new LinkedHashMap<>(fields), rows, tokens);
        }
    }
}
