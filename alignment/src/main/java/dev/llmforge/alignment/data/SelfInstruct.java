package dev.llmforge.alignment.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmforge.tokenizer.chat.ChatMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Self-instruct's human-written tasks (yizhongw/self-instruct: the 175 seed tasks and the 252 user-oriented
 * tasks): {@code {"instruction": "...", "instances": [{"input": "...", "output": "..."}, ...]}}. Each instance
 * becomes one record: the instruction, then the instance's input after a blank line when it has one, as the user
 * message, and the output as the assistant message (as Alpaca records are read). For seed tasks marked
 * {@code "is_classification": true} the output is a label ("Positive", "Yes"), which is also the record's final
 * answer; other outputs are free text and have none. The other fields ({@code id}, {@code name},
 * {@code motivation_app}) are not used.
 */
final class SelfInstruct {
    private SelfInstruct() {
    }

    static List<SftRecord> parse(ObjectNode record, RecordLocation location) {
        String instruction = JsonRecords.text(record, "instruction");
        JsonNode instances = record.get("instances");
        if (instances == null || !instances.isArray() || instances.isEmpty()) {
            throw new InvalidRecordException("expected field \"instances\" to be a non-empty list of "
                    + "{\"input\", \"output\"} objects, found " + JsonRecords.describe(instances));
        }
        JsonNode classification = record.get("is_classification");
        boolean labels = classification != null && classification.asBoolean(false);
        List<SftRecord> records = new ArrayList<>(instances.size());
        for (int i = 0; i < instances.size(); i++) {
            if (!(instances.get(i) instanceof ObjectNode instance)) {
                throw new InvalidRecordException("expected \"instances\"[" + i + "] to be an {\"input\", \"output\"} "
                        + "object, found " + JsonRecords.describe(instances.get(i)));
            }
            try {
                String input = JsonRecords.optionalText(instance, "input").orElse("");
                String output = JsonRecords.text(instance, "output");
                List<ChatMessage> messages = List.of(
                        ChatMessage.user(Conversations.instructionPrompt(instruction, input)),
                        ChatMessage.assistant(output));
                Optional<String> finalAnswer = labels ? Optional.of(output.strip()) : Optional.empty();
                records.add(InvalidRecordException.check(() -> new SftRecord(messages, finalAnswer, location)));
            } catch (InvalidRecordException e) {
                throw new InvalidRecordException("in \"instances\"[" + i + "]: " + e.reason());
            }
        }
        return records;
    }
}
