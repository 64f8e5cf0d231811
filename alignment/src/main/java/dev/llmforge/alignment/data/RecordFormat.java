package dev.llmforge.alignment.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/** A file format of records of type {@code T}, and what the formats have in common. */
interface RecordFormat<T> {
    /** The name used on the command line. */
    String id();

    /** The records of {@code file}; bad records go to {@code bad}. */
    List<T> read(Path file, BadRecords bad) throws IOException;

    /** Finds the format of a file, or refuses it with a {@link BadRecordException}. */
    @FunctionalInterface
    interface Detector<T> {
        RecordFormat<T> formatOf(Path file) throws IOException;
    }

    /** The records of {@code files}, in order, each file read in the format {@code detector} gives it. */
    static <T> List<T> readAll(List<Path> files, Detector<T> detector, BadRecords bad) throws IOException {
        List<T> records = new ArrayList<>();
        for (Path file : files) {
            records.addAll(detector.formatOf(file).read(file, bad));
        }
        return records;
    }

    /**
     * The value among {@code values} whose {@code id} is {@code name}.
     *
     * @throws IllegalArgumentException saying it is an unknown {@code what} and listing the names there are
     */
    static <V> V named(V[] values, Function<V, String> id, String name, String what) {
        for (V value : values) {
            if (id.apply(value).equals(name)) {
                return value;
            }
        }
        throw new IllegalArgumentException(String.format("unknown %s \"%s\"; expected one of %s", what, name,
                String.join(", ", Arrays.stream(values).map(id).toList())));
    }
}
