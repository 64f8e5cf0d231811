package dev.llmforge.alignment.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmforge.tokenizer.chat.ChatMessage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * JSON Lines records: one JSON object a line (blank lines are ignored), and the typed fields the formats read.
 * Every problem is an {@link InvalidRecordException} saying what was expected and what was found.
 */
final class JsonRecords {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Set<String> ROLES = Set.of(ChatMessage.SYSTEM, ChatMessage.USER, ChatMessage.ASSISTANT);
    private static final int QUOTED = 60;

    private JsonRecords() {
    }

    /** Reads one record of a JSON Lines file. */
    @FunctionalInterface
    interface RecordHandler {
        void accept(ObjectNode record, RecordLocation location);
    }

    /**
     * Parses every non-blank line of {@code file} as a JSON object and hands it to {@code handler}; a line that is
     * not a JSON object, or that the handler refuses with an {@link InvalidRecordException}, goes to {@code bad}.
     */
    static void forEach(Path file, BadRecords bad, RecordHandler handler) throws IOException {
        try (TextLines lines = TextLines.open(file)) {
            for (String line = lines.next(); line != null; line = lines.next()) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    handler.accept(parseObject(line), lines.location());
                } catch (InvalidRecordException e) {
                    bad.report(lines.location(), e.reason());
                }
            }
        }
    }

    /** The first non-blank line of {@code file} as a JSON object, for format detection. */
    static FirstRecord first(Path file) throws IOException {
        try (TextLines lines = TextLines.open(file)) {
            for (String line = lines.next(); line != null; line = lines.next()) {
                if (!line.isBlank()) {
                    return new FirstRecord(line, lines.location());
                }
            }
        }
        throw new BadRecordException(new BadRecord(new RecordLocation(file.toString(), 1),
                "expected at least one record, found an empty file"));
    }

    /** The first non-blank line of a file and where it is. */
    record FirstRecord(String line, RecordLocation location) {
        /** The line as a JSON object; a line that is not one is a {@link BadRecordException}. */
        ObjectNode object() throws BadRecordException {
            try {
                return parseObject(line);
            } catch (InvalidRecordException e) {
                throw new BadRecordException(new BadRecord(location, e.reason()));
            }
        }
    }

    static ObjectNode parseObject(String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            String problem = e.getOriginalMessage();
            int detail = problem.indexOf(" (start marker at");
            throw new InvalidRecordException("expected one JSON object on the line, found invalid JSON at column "
                    + e.getLocation().getColumnNr() + " (" + (detail < 0 ? problem : problem.substring(0, detail))
                    .replace('\n', ' ') + "): " + quote(line));
        }
        if (!(node instanceof ObjectNode object)) {
            throw new InvalidRecordException("expected one JSON object on the line, found " + describe(node)
                    + (node.isArray() ? " (a file holding one JSON array is not JSON Lines: write one record a line)"
                    : ""));
        }
        return object;
    }

    /** The string field {@code name}. */
    static String text(ObjectNode record, String name) {
        JsonNode value = record.get(name);
        if (value == null || !value.isTextual()) {
            throw new InvalidRecordException(
                    "expected field \"" + name + "\" to be a string, found " + describe(value));
        }
        return value.textValue();
    }

    /** The string field {@code name}, or empty when it is absent or null. */
    static Optional<String> optionalText(ObjectNode record, String name) {
        JsonNode value = record.get(name);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(text(record, name));
    }

    /** The finite number in field {@code name}, or empty when it is absent or null. */
    static OptionalDouble optionalNumber(ObjectNode record, String name) {
        JsonNode value = record.get(name);
        if (value == null || value.isNull()) {
            return OptionalDouble.empty();
        }
        if (!value.isNumber() || !Double.isFinite(value.doubleValue())) {
            throw new InvalidRecordException(
                    "expected field \"" + name + "\" to be a finite number, found " + describe(value));
        }
        return OptionalDouble.of(value.doubleValue());
    }

    /**
     * The optional {@code final_answer} field (llmforge's: the answer exact-match evaluation compares with), a
     * string or a number written as text.
     */
    static Optional<String> finalAnswer(ObjectNode record) {
        JsonNode value = record.get("final_answer");
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!(value.isTextual() || value.isNumber()) || value.asText().isBlank()) {
            throw new InvalidRecordException(
                    "expected field \"final_answer\" to be a non-empty string or a number, found " + describe(value));
        }
        return Optional.of(value.asText());
    }

    /**
     * Field {@code name} as messages: a string is one message of role {@code roleOfText}; an array is a list of
     * {@code {"role", "content"}} objects.
     */
    static List<ChatMessage> turns(ObjectNode record, String name, String roleOfText) {
        return turns(record.get(name), "field \"" + name + "\"", roleOfText);
    }

    /** {@link #turns(ObjectNode, String, String)} for a value that {@code what} names in messages. */
    static List<ChatMessage> turns(JsonNode value, String what, String roleOfText) {
        if (value != null && value.isTextual()) {
            return List.of(new ChatMessage(roleOfText, value.textValue()));
        }
        if (value != null && value.isArray()) {
            return messages(value, what);
        }
        throw new InvalidRecordException("expected " + what
                + " to be a string or a list of {\"role\", \"content\"} messages, found " + describe(value));
    }

    /** Field {@code name} as a non-empty list of {@code {"role", "content"}} messages. */
    static List<ChatMessage> messages(ObjectNode record, String name) {
        return messages(record.get(name), "field \"" + name + "\"");
    }

    private static List<ChatMessage> messages(JsonNode value, String what) {
        if (value == null || !value.isArray() || value.isEmpty()) {
            throw new InvalidRecordException("expected " + what
                    + " to be a non-empty list of {\"role\", \"content\"} messages, found " + describe(value));
        }
        List<ChatMessage> messages = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            String where = "message " + i + " of " + what;
            if (!(value.get(i) instanceof ObjectNode message)) {
                throw new InvalidRecordException("expected " + where + " to be a {\"role\", \"content\"} object, found "
                        + describe(value.get(i)));
            }
            JsonNode role = message.get("role");
            if (role == null || !role.isTextual() || !ROLES.contains(role.textValue())) {
                throw new InvalidRecordException("expected the role of " + where
                        + " to be \"system\", \"user\" or \"assistant\", found " + describe(role));
            }
            JsonNode content = message.get("content");
            if (content == null || !content.isTextual()) {
                throw new InvalidRecordException(
                        "expected the content of " + where + " to be a string, found " + describe(content));
            }
            JsonNode weight = message.get("weight");
            if (weight != null && !(weight.isNumber() && weight.doubleValue() == 1)) {
                throw new InvalidRecordException(where + " has \"weight\": " + weight
                        + " (a per-message training weight), which llmforge does not support: every assistant "
                        + "message is trained; remove the field or split the conversation");
            }
            messages.add(new ChatMessage(role.textValue(), content.textValue()));
        }
        return messages;
    }

    /** A short description of a JSON value for error messages. */
    static String describe(JsonNode value) {
        if (value == null || value.isMissingNode()) {
            return "no such field";
        }
        if (value.isNull()) {
            return "null";
        }
        if (value.isTextual()) {
            return "the string " + quote(value.textValue());
        }
        if (value.isArray()) {
            return "a list of " + value.size();
        }
        if (value.isObject()) {
            return "an object with fields " + fieldNames(value);
        }
        return value.getNodeType().toString().toLowerCase(java.util.Locale.ROOT) + " " + value;
    }

    /** The field names of an object, in order, for error messages. */
    static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** {@code text} in double quotes with line ends escaped, cut to a readable length. */
    static String quote(String text) {
        String escaped = text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\"", "\\\"");
        return "\"" + (escaped.length() <= QUOTED ? escaped : escaped.substring(0, QUOTED - 3) + "...") + "\"";
    }
}
