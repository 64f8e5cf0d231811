package dev.llmforge.alignment.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmforge.tokenizer.chat.ChatMessage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/** The JSON Lines formats preference data is read from (optionally gzip-compressed; other fields are ignored). */
public enum PreferenceFormat implements RecordFormat<PreferenceGroup> {
    /**
     * TRL's preference records, one pair a line: {@code {"prompt": ..., "chosen": ..., "rejected": ...}} with an
     * optional {@code "margin"} (a number). The prompt is a string (a user message) or a list of messages;
     * chosen and rejected are strings (an assistant message each) or lists of messages (TRL's conversational
     * form). Without a prompt (TRL's "implicit prompt") chosen and rejected are whole conversations: lists of
     * messages, whose shared first messages are the prompt, or Anthropic HH dialogues
     * {@code "\n\nHuman: ...\n\nAssistant: ..."}, split at the last {@code "\n\nAssistant:"} in their shared
     * beginning.
     */
    PAIRS("pairs", PreferenceFormat::pair),
    /** Ranked responses {@code {"prompt", "responses": [...], "ranking": [...]}}; see {@link RankedList}. */
    RANKED("ranked", RankedList::parse);

    private final String id;
    private final JsonFormat json;

    PreferenceFormat(String id, JsonFormat json) {
        this.id = id;
        this.json = json;
    }

    /** The name used on the command line. */
    @Override
    public String id() {
        return id;
    }

    /**
     * The format called {@code id}.
     *
     * @throws IllegalArgumentException listing the names there are
     */
    public static PreferenceFormat named(String id) {
        return RecordFormat.named(values(), PreferenceFormat::id, id, "preference data format");
    }

    /**
     * The format of {@code file}, from the fields of its first record: {@code "responses"} and {@code "ranking"}
     * are {@link #RANKED}, {@code "chosen"} and {@code "rejected"} {@link #PAIRS}.
     *
     * @throws BadRecordException naming the file and line when the first record fits neither
     */
    public static PreferenceFormat detect(Path file) throws IOException {
        JsonRecords.FirstRecord first = JsonRecords.first(file);
        ObjectNode record = first.object();
        if (record.has("responses") && record.has("ranking")) {
            return RANKED;
        }
        if (record.has("chosen") && record.has("rejected")) {
            return PAIRS;
        }
        throw new BadRecordException(new BadRecord(first.location(), "cannot tell the preference format from the "
                + "fields " + JsonRecords.fieldNames(record) + "; expected \"chosen\" and \"rejected\" (pairs) or "
                + "\"responses\" and \"ranking\" (ranked), or name the format"));
    }

    /** The groups of {@code file}, in this format; bad records go to {@code bad}. */
    @Override
    public List<PreferenceGroup> read(Path file, BadRecords bad) throws IOException {
        List<PreferenceGroup> groups = new ArrayList<>();
        JsonRecords.forEach(file, bad, (record, location) -> groups.add(json.parse(record, location)));
        return groups;
    }

    /** The group of one JSON line. */
    @FunctionalInterface
    private interface JsonFormat {
        PreferenceGroup parse(ObjectNode record, RecordLocation location);
    }

    private static PreferenceGroup pair(ObjectNode record, RecordLocation location) {
        OptionalDouble margin = JsonRecords.optionalNumber(record, "margin");
        if (!record.has("prompt")) {
            JsonNode chosen = record.get("chosen");
            if (chosen != null && chosen.isTextual()) {
                return HhDialogue.splitPair(chosen.textValue(), JsonRecords.text(record, "rejected"), margin,
                        location);
            }
            return sharedPrompt(JsonRecords.messages(record, "chosen"), JsonRecords.messages(record, "rejected"),
                    margin, location);
        }
        List<ChatMessage> prompt = JsonRecords.turns(record, "prompt", ChatMessage.USER);
        List<ChatMessage> chosen = JsonRecords.turns(record, "chosen", ChatMessage.ASSISTANT);
        List<ChatMessage> rejected = JsonRecords.turns(record, "rejected", ChatMessage.ASSISTANT);
        return InvalidRecordException.check(() -> new PreferenceGroup(prompt,
                List.of(new PreferencePair(chosen, rejected, margin)), location));
    }

    /** Two conversations whose shared first messages are the prompt (TRL's {@code extract_prompt}). */
    private static PreferenceGroup sharedPrompt(List<ChatMessage> chosen, List<ChatMessage> rejected,
                                                OptionalDouble margin, RecordLocation location) {
        if (chosen.equals(rejected)) {
            throw new InvalidRecordException(
                    "expected chosen and rejected to differ, found the same conversation twice");
        }
        int shared = 0;
        while (shared < Math.min(chosen.size(), rejected.size()) && chosen.get(shared).equals(rejected.get(shared))) {
            shared++;
        }
        if (shared == 0) {
            throw new InvalidRecordException("expected chosen and rejected to share their first messages (the "
                    + "prompt), found that they differ from the first message on");
        }
        int promptEnd = shared;
        return InvalidRecordException.check(() -> new PreferenceGroup(chosen.subList(0, promptEnd),
                List.of(new PreferencePair(chosen.subList(promptEnd, chosen.size()),
                        rejected.subList(promptEnd, rejected.size()), margin)), location));
    }
}
