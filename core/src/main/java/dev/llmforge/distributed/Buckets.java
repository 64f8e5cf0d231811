package dev.llmforge.distributed;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Packs host arrays back to back into one fixed-size bucket, runs a collective operation on the bucket
 * each time it is full (and once more at {@link #finish()}), copies the results back into the arrays,
 * and hands each array on once all of its elements have been through the operation. An array larger
 * than the bucket is split over several; host memory stays at one bucket plus the arrays in flight.
 */
final class Buckets {
    private final FloatBuffer bucket;
    private final Consumer<FloatBuffer> operation;
    private final List<Piece> pieces = new ArrayList<>();

    /** {@code length} elements of {@code array} from {@code arrayOffset} sit in the bucket at {@code bucketOffset}. */
    private record Piece(float[] array, int arrayOffset, int bucketOffset, int length, Consumer<float[]> whenDone) {
    }

    Buckets(int bucketFloats, Consumer<FloatBuffer> operation) {
        if (bucketFloats <= 0) {
            throw new IllegalArgumentException("bucket size must be positive, got " + bucketFloats + " floats");
        }
        this.bucket = FloatBuffer.allocate(bucketFloats);
        this.operation = operation;
    }

    /** Adds {@code values}; {@code whenDone} receives them, changed by the operation, once every element has been through it. */
    void add(float[] values, Consumer<float[]> whenDone) {
        if (values.length == 0) {
            whenDone.accept(values);
            return;
        }
        int copied = 0;
        while (copied < values.length) {
            int n = Math.min(bucket.remaining(), values.length - copied);
            boolean last = copied + n == values.length;
            pieces.add(new Piece(values, copied, bucket.position(), n, last ? whenDone : null));
            bucket.put(values, copied, n);
            copied += n;
            if (!bucket.hasRemaining()) {
                flush();
            }
        }
    }

    /** Runs the operation on what is left in the bucket. */
    void finish() {
        if (bucket.position() > 0) {
            flush();
        }
    }

    private void flush() {
        FloatBuffer filled = bucket.duplicate().flip();
        operation.accept(filled);
        for (Piece p : pieces) {
            filled.get(p.bucketOffset(), p.array(), p.arrayOffset(), p.length());
        }
        for (Piece p : pieces) {
            if (p.whenDone() != null) {
                p.whenDone().accept(p.array());
            }
        }
        pieces.clear();
        bucket.clear();
    }
}
