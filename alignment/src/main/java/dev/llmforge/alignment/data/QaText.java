package dev.llmforge.alignment.data;

import dev.llmforge.tokenizer.chat.ChatMessage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Plain Q&A text, records separated by blank lines:
 *
 * <pre>
 * Q: What's the capital of China?
 * A: China's capital is Beijing.
 *
 * Q: When I was 6 my sister was half my age. Now I'm 70 how old is my sister?
 * A: When I was 6, my sister was 6 / 2 = 3.
 * So she is 6 - 3 = 3 years younger.
 * The answer is 67.
 * </pre>
 *
 * A line that starts with {@code Q:} opens a question (a user message), one that starts with {@code A:} an answer
 * (an assistant message); every other line continues the question or answer above it, kept with its line break
 * and indentation, so answers and questions may span several lines. A record may hold several Q/A exchanges
 * (a multi-turn conversation); it starts with a question, alternates, and ends with an answer. The space after
 * {@code Q:} or {@code A:} and trailing white space are not part of the text. An answer cannot hold a blank line
 * (that ends the record) nor a line starting with {@code Q:} or {@code A:} (indent such a line).
 */
final class QaText {
    private static final String QUESTION = "Q:";
    private static final String ANSWER = "A:";

    private QaText() {
    }

    static List<SftRecord> read(TextLines lines, BadRecords bad) throws IOException {
        List<SftRecord> records = new ArrayList<>();
        List<String> block = new ArrayList<>();
        int blockStart = 0;
        for (String line = lines.next(); ; line = lines.next()) {
            if (line == null || line.isBlank()) {
                if (!block.isEmpty()) {
                    RecordLocation start = new RecordLocation(lines.file(), blockStart);
                    try {
                        records.add(parse(block, start));
                    } catch (BlockException e) {
                        bad.report(new RecordLocation(lines.file(), blockStart + e.lineInBlock), e.reason);
                    }
                    block.clear();
                }
                if (line == null) {
                    return records;
                }
            } else {
                if (block.isEmpty()) {
                    blockStart = lines.number();
                }
                block.add(line);
            }
        }
    }

    private static SftRecord parse(List<String> block, RecordLocation location) throws BlockException {
        List<String> roles = new ArrayList<>();
        List<StringBuilder> texts = new ArrayList<>();
        List<Integer> firstLines = new ArrayList<>();
        for (int i = 0; i < block.size(); i++) {
            String line = block.get(i);
            String role = line.startsWith(QUESTION) ? ChatMessage.USER
                    : line.startsWith(ANSWER) ? ChatMessage.ASSISTANT : null;
            if (role == null) {
                if (texts.isEmpty()) {
                    throw new BlockException(i, "expected a record to start with \"Q:\", found "
                            + JsonRecords.quote(line));
                }
                texts.get(texts.size() - 1).append('\n').append(line);
                continue;
            }
            if (roles.isEmpty() && role.equals(ChatMessage.ASSISTANT)) {
                throw new BlockException(i, "expected a record to start with \"Q:\", found an answer first: "
                        + JsonRecords.quote(line));
            }
            if (!roles.isEmpty() && roles.get(roles.size() - 1).equals(role)) {
                String marker = role.equals(ChatMessage.USER) ? QUESTION : ANSWER;
                throw new BlockException(i, "expected questions and answers to alternate, found a second \""
                        + marker + "\" line in a row (a line of text that starts with \"" + marker
                        + "\" must be indented): " + JsonRecords.quote(line));
            }
            roles.add(role);
            firstLines.add(i);
            texts.add(new StringBuilder(line.substring(2).stripLeading()));
        }
        if (roles.get(roles.size() - 1).equals(ChatMessage.USER)) {
            throw new BlockException(block.size() - 1,
                    "expected the record to end with an \"A:\" answer, found a question without one");
        }
        List<ChatMessage> messages = new ArrayList<>(roles.size());
        for (int i = 0; i < roles.size(); i++) {
            String text = texts.get(i).toString().stripTrailing();
            if (text.isEmpty()) {
                throw new BlockException(firstLines.get(i), "expected every " + (roles.get(i).equals(ChatMessage.USER)
                        ? "question" : "answer") + " to have text, found an empty one");
            }
            messages.add(new ChatMessage(roles.get(i), text));
        }
        return new SftRecord(messages, Optional.empty(), location);
    }

    /** What is wrong with a record, and on which of its lines (0 = its first). */
    private static final class BlockException extends Exception {
        final int lineInBlock;
        final String reason;

        BlockException(int lineInBlock, String reason) {
            super(reason, null, false, false);
            this.lineInBlock = lineInBlock;
            this.reason = reason;
        }
    }
}
