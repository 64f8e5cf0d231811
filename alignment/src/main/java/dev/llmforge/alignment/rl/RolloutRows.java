package dev.llmforge.alignment.rl;

import dev.llmforge.training.data.Batch;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A scored rollout on the host, as named (B, T) arrays row-major (the ids, masks, old log-probabilities,
 * advantages, ...), from which the update's minibatches are cut by row.
 */
final class RolloutRows {
    private final int rows;
    private final int length;
    private final long[] ids;
    private final Map<String, float[]> fields = new LinkedHashMap<>();

    RolloutRows(int rows, int length, long[] ids) {
        this.rows = rows;
        this.length = length;
        this.ids = ids;
    }

    /** Adds a (B, T) field. */
    RolloutRows put(String name, float[] values) {
        if (values.length != rows * length) {
            throw new IllegalArgumentException("field '" + name + "' needs " + rows * length + " values, got " + values.length);
        }
        fields.put(name, values);
        return this;
    }

    float[] get(String name) {
        return fields.get(name);
    }

    /** The chosen rows, in that order, as a micro-batch: {@link Batch#IDS} and every field. */
    Batch select(int[] chosen) {
        int n = chosen.length;
        long[] pickedIds = new long[n * length];
        for (int i = 0; i < n; i++) {
            System.arraycopy(ids, chosen[i] * length, pickedIds, i * length, length);
        }
        Batch.Builder b = Batch.builder(n).longs(Batch.IDS, pickedIds, n, length);
        fields.forEach((name, all) -> {
            float[] picked = new float[n * length];
            for (int i = 0; i < n; i++) {
                System.arraycopy(all, chosen[i] * length, picked, i * length, length);
            }
            b.floats(name, picked, n, length);
        });
        return b.build();
    }
}
