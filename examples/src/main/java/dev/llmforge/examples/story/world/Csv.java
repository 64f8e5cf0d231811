package dev.llmforge.examples.story.world;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A class-path CSV file of one record a line (RFC 4180 quoting: fields in double quotes, {@code ""} for a quote;
 * no line breaks inside fields). The first line is the header; every line must have as many fields as it.
 */
final class Csv {
    private Csv() {
    }

    /** The records of {@code resource} without its header; a malformed line is an error naming the resource and line. */
    static List<List<String>> read(String resource, List<String> expectedHeader) {
        InputStream in = Csv.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException("missing class-path resource " + resource);
        }
        List<List<String>> records = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            int number = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                number++;
                List<String> fields = fields(line, resource, number);
                if (number == 1) {
                    if (!fields.equals(expectedHeader)) {
                        throw new IllegalStateException(resource + ":1: expected the header " + expectedHeader + ", found " + fields);
                    }
                } else if (fields.size() != expectedHeader.size()) {
                    throw new IllegalStateException(resource + ":" + number + ": expected " + expectedHeader.size()
                            + " fields, found " + fields.size() + ": " + line);
                } else {
                    records.add(fields);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        return records;
    }

    private static List<String> fields(String line, String resource, int number) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int i = 0;
        while (true) {
            if (i < line.length() && line.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= line.length()) {
                        throw new IllegalStateException(resource + ":" + number + ": a quoted field is not closed: " + line);
                    }
                    char c = line.charAt(i++);
                    if (c != '"') {
                        field.append(c);
                    } else if (i < line.length() && line.charAt(i) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        break;
                    }
                }
            } else {
                while (i < line.length() && line.charAt(i) != ',') {
                    field.append(line.charAt(i++));
                }
            }
            fields.add(field.toString());
            field.setLength(0);
            if (i == line.length()) {
                return fields;
            }
            if (line.charAt(i) != ',') {
                throw new IllegalStateException(resource + ":" + number + ": expected a comma after a quoted field at column "
                        + (i + 1) + ": " + line);
            }
            i++;
        }
    }
}
