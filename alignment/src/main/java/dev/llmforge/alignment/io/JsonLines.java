package dev.llmforge.alignment.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmforge.io.AtomicFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * JSON Lines files (one JSON object a line, UTF-8, "\n" line ends): written atomically (temporary name, then
 * moved into place) and read with every bad line reported by file and line number.
 */
public final class JsonLines {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonLines() {
    }

    /** Turns one parsed line into a value; throws {@link IllegalArgumentException} saying what is wrong. */
    @FunctionalInterface
    public interface LineReader<T> {
        T read(ObjectNode line);
    }

    /** A new empty object to fill and pass to {@link #write}. */
    public static ObjectNode object() {
        return JSON.createObjectNode();
    }

    /** Writes {@code lines} to {@code file} atomically; the same objects give the same bytes. */
    public static void write(Path file, List<? extends JsonNode> lines) throws IOException {
        StringBuilder text = new StringBuilder();
        for (JsonNode line : lines) {
            text.append(toLine(line)).append('\n');
        }
        AtomicFiles.write(file, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** One object as a line of JSON (no line break). */
    public static String toLine(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads every non-blank line of {@code file} with {@code reader}. A line that is not a JSON object, or that
     * the reader refuses, is an {@link IllegalArgumentException} naming the file and line.
     */
    public static <T> List<T> read(Path file, LineReader<T> reader) throws IOException {
        List<T> values = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int number = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    values.add(reader.read(parseObject(line)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(file + ":" + number + ": " + e.getMessage(), e);
                }
            }
        }
        return values;
    }

    private static ObjectNode parseObject(String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("expected one JSON object, found invalid JSON ("
                    + e.getOriginalMessage() + "): " + abbreviate(line));
        }
        if (!(node instanceof ObjectNode object)) {
            throw new IllegalArgumentException("expected one JSON object, found " + abbreviate(line));
        }
        return object;
    }

    /** The text of field {@code name} of {@code line}: a string, or a number written as text. */
    public static String requiredText(ObjectNode line, String name) {
        JsonNode value = line.get(name);
        if (value == null || !(value.isTextual() || value.isNumber())) {
            throw new IllegalArgumentException("expected a string field \"" + name + "\", found "
                    + (value == null ? "none" : value.getNodeType().toString().toLowerCase(Locale.ROOT))
                    + " in " + abbreviate(line.toString()));
        }
        return value.asText();
    }

    /** The text of optional field {@code name}, or null when it is absent or JSON null. */
    public static String optionalText(ObjectNode line, String name) {
        JsonNode value = line.get(name);
        return value == null || value.isNull() ? null : requiredText(line, name);
    }

    private static String abbreviate(String text) {
        return text.length() <= 120 ? text : text.substring(0, 117) + "...";
    }
}
