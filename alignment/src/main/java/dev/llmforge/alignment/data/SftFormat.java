package dev.llmforge.alignment.data;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmforge.tokenizer.chat.ChatMessage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The file formats supervised fine-tuning records are read from. All but {@link #QA} are JSON Lines (one object a
 * line; blank lines are ignored); fields not listed are ignored. The three general JSON formats take an optional
 * {@code "final_answer"} (string or number) for exact-match evaluation. Any file may be gzip-compressed.
 */
public enum SftFormat implements RecordFormat<SftRecord> {
    /** {@code {"messages": [{"role": "system|user|assistant", "content": "..."}, ...]}} (TRL, OpenAI fine-tuning). */
    MESSAGES("messages", SftFormat::messages),
    /**
     * {@code {"prompt": "...", "completion": "..."}}: a user message and an assistant message. As in TRL, either
     * may also be a list of messages (the completion's last message is then the assistant's).
     */
    PROMPT_COMPLETION("prompt-completion", SftFormat::promptCompletion),
    /**
     * {@code {"instruction": "...", "input": "...", "output": "..."}} (Alpaca): the instruction, then the input
     * after a blank line when it is not empty, is the user message; the output is the assistant message.
     */
    ALPACA("alpaca", SftFormat::alpaca),
    /** Self-instruct's tasks {@code {"instruction", "instances": [{"input", "output"}]}}; see {@link SelfInstruct}. */
    SELF_INSTRUCT("self-instruct", SelfInstruct::parse),
    /** GSM8K's {@code {"question", "answer": "...\n#### N"}}; see {@link Gsm8k}. */
    GSM8K("gsm8k", (record, location) -> List.of(Gsm8k.parse(record, location))),
    /**
     * The {@code "chosen"} dialogue of Anthropic HH records {@code {"chosen": "\n\nHuman: ...\n\nAssistant: ...",
     * "rejected": ...}}; see {@link HhDialogue}.
     */
    HH_CHOSEN("hh", SftFormat::hhChosen),
    /** Plain Q&A text ({@code Q: ...} / {@code A: ...}, records separated by blank lines); see {@link QaText}. */
    QA("qa", null);

    private final String id;
    private final JsonFormat json;

    SftFormat(String id, JsonFormat json) {
        this.id = id;
        this.json = json;
    }

    /** The name used on the command line ({@code --format}). */
    @Override
    public String id() {
        return id;
    }

    /**
     * The format called {@code id}.
     *
     * @throws IllegalArgumentException listing the names there are
     */
    public static SftFormat named(String id) {
        return RecordFormat.named(values(), SftFormat::id, id, "SFT data format");
    }

    /**
     * The format of {@code file}: {@link #QA} for {@code .txt}; for other files the first non-blank line decides —
     * a JSON object by its fields (see each format), a line starting with {@code Q:} is {@link #QA}.
     *
     * @throws BadRecordException naming the file and line when the first record fits no format
     */
    public static SftFormat detect(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".txt") || name.endsWith(".txt.gz")) {
            return QA;
        }
        JsonRecords.FirstRecord first = JsonRecords.first(file);
        if (first.line().startsWith("Q:")) {
            return QA;
        }
        ObjectNode record = first.object();
        if (record.has("messages")) {
            return MESSAGES;
        }
        if (record.has("prompt") && record.has("completion")) {
            return PROMPT_COMPLETION;
        }
        if (record.has("instruction") && record.has("instances")) {
            return SELF_INSTRUCT;
        }
        if (record.has("instruction") && record.has("output")) {
            return ALPACA;
        }
        if (record.has("question") && record.has("answer")) {
            return GSM8K;
        }
        if (record.has("chosen") && !record.has("prompt")) {
            return HH_CHOSEN;
        }
        throw new BadRecordException(new BadRecord(first.location(), "cannot tell the SFT format from the fields "
                + JsonRecords.fieldNames(record) + "; expected \"messages\" (messages), \"prompt\" and "
                + "\"completion\" (prompt-completion), \"instruction\" and \"output\" (alpaca), \"instruction\" "
                + "and \"instances\" (self-instruct), \"question\" and \"answer\" (gsm8k) or \"chosen\" (hh), "
                + "or name the format"));
    }

    /** The records of {@code file}, in this format; bad records go to {@code bad}. */
    @Override
    public List<SftRecord> read(Path file, BadRecords bad) throws IOException {
        if (json == null) {
            try (TextLines lines = TextLines.open(file)) {
                return QaText.read(lines, bad);
            }
        }
        List<SftRecord> records = new ArrayList<>();
        JsonRecords.forEach(file, bad, (record, location) -> records.addAll(json.parse(record, location)));
        return records;
    }

    /** The records of one JSON line. */
    @FunctionalInterface
    private interface JsonFormat {
        List<SftRecord> parse(ObjectNode record, RecordLocation location);
    }

    private static List<SftRecord> messages(ObjectNode record, RecordLocation location) {
        return one(JsonRecords.messages(record, "messages"), record, location);
    }

    private static List<SftRecord> promptCompletion(ObjectNode record, RecordLocation location) {
        List<ChatMessage> messages = new ArrayList<>(JsonRecords.turns(record, "prompt", ChatMessage.USER));
        messages.addAll(JsonRecords.turns(record, "completion", ChatMessage.ASSISTANT));
        return one(messages, record, location);
    }

    private static List<SftRecord> alpaca(ObjectNode record, RecordLocation location) {
        String user = Conversations.instructionPrompt(JsonRecords.text(record, "instruction"),
                JsonRecords.optionalText(record, "input").orElse(""));
        List<ChatMessage> messages = List.of(ChatMessage.user(user),
                ChatMessage.assistant(JsonRecords.text(record, "output")));
        return one(messages, record, location);
    }

    private static List<SftRecord> hhChosen(ObjectNode record, RecordLocation location) {
        List<ChatMessage> messages = HhDialogue.parse(JsonRecords.text(record, "chosen"));
        return List.of(InvalidRecordException.check(() -> new SftRecord(messages, Optional.empty(), location)));
    }

    private static List<SftRecord> one(List<ChatMessage> messages, ObjectNode record, RecordLocation location) {
        Optional<String> finalAnswer = JsonRecords.finalAnswer(record);
        return List.of(InvalidRecordException.check(() -> new SftRecord(messages, finalAnswer, location)));
    }
}
