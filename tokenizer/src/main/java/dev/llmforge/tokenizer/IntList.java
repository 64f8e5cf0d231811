package dev.llmforge.tokenizer;

import java.util.Arrays;

/** A growable array of ints, to collect token ids without boxing. */
final class IntList {
    private int[] values;
    private int size;

    IntList(int initialCapacity) {
        values = new int[Math.max(4, initialCapacity)];
    }

    void add(int value) {
        if (size == values.length) {
            values = Arrays.copyOf(values, values.length * 2);
        }
        values[size++] = value;
    }

    void addAll(int[] source, int count) {
        if (size + count > values.length) {
            values = Arrays.copyOf(values, Math.max(values.length * 2, size + count));
        }
        System.arraycopy(source, 0, values, size, count);
        size += count;
    }

    int size() {
        return size;
    }

    /** The values from index {@code from} to the end. */
    int[] copyFrom(int from) {
        return Arrays.copyOfRange(values, from, size);
    }

    int[] toArray() {
        return Arrays.copyOf(values, size);
    }
}
