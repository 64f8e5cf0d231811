package dev.llmforge.alignment.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One field of the records a reader read, found again by their {@link RecordLocation}: e.g. the labeler's
 * {@code "kind"} of each preference pair, for accuracy per kind. Each file is read once, when first asked about;
 * a record without the field (or with {@code null}) has the value {@value #MISSING}.
 */
public final class RecordField {
    public static final String MISSING = "(none)";

    private final String field;
    private final Map<String, Map<Integer, String>> valuesByFile = new HashMap<>();

    /** @param field the field's name in each JSON line; its value is read as text (a number as written) */
    public RecordField(String field) {
        this.field = field;
    }

    public String name() {
        return field;
    }

    /** The field's value in the record at {@code location}. */
    public String valueAt(RecordLocation location) {
        Map<Integer, String> values = valuesByFile.computeIfAbsent(location.file(), this::read);
        return values.getOrDefault(location.line(), MISSING);
    }

    private Map<Integer, String> read(String file) {
        Map<Integer, String> values = new HashMap<>();
        try {
            JsonRecords.forEach(Path.of(file), BadRecords.skip(), (record, location) -> {
                JsonNode value = record.get(field);
                if (value != null && !value.isNull()) {
                    values.put(location.line(), value.isValueNode() ? value.asText() : value.toString());
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read the field \"" + field + "\" of its records", e);
        }
        return values;
    }
}
