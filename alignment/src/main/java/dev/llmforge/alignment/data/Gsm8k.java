package dev.llmforge.alignment.data;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmforge.tokenizer.chat.ChatMessage;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * GSM8K (openai/grade-school-math): {@code {"question": "...", "answer": "...\n#### 72"}}. The question is the user
 * message. The answer's worked solution is the assistant message, with two changes:
 * <ul>
 *   <li>the calculator notes {@code <<48/2=24>>} are removed ("48/2 = <<48/2=24>>24" becomes "48/2 = 24"): they
 *       were written for a calculator that fills in results while the model generates, which llmforge does not
 *       have, and they double the arithmetic a small model has to learn;</li>
 *   <li>the final line {@code #### 72} becomes {@code The answer is 72.}, the sentence chain-of-thought prompts
 *       (Wang et al.'s self-consistency) and this project's answer extraction look for.</li>
 * </ul>
 * The number after {@code ####}, without thousands separators ("1,080" → "1080"), is the record's final answer.
 */
final class Gsm8k {
    private static final String FINAL_MARKER = "####";
    private static final Pattern CALCULATOR_NOTE = Pattern.compile("<<[^<>]*>>");
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?");
    private static final Pattern THOUSANDS = Pattern.compile("(?<=\\d),(?=\\d{3}(\\D|$))");

    private Gsm8k() {
    }

    static SftRecord parse(ObjectNode record, RecordLocation location) {
        String question = JsonRecords.text(record, "question");
        String answer = JsonRecords.text(record, "answer");
        int marker = answer.lastIndexOf(FINAL_MARKER);
        if (marker < 0 || marker > 0 && answer.charAt(marker - 1) != '\n') {
            throw new InvalidRecordException("expected the answer to end with a line \"#### N\" (GSM8K's final "
                    + "answer), found none in " + JsonRecords.quote(answer));
        }
        String finalAnswer = THOUSANDS.matcher(answer.substring(marker + FINAL_MARKER.length()).strip())
                .replaceAll("");
        if (!NUMBER.matcher(finalAnswer).matches()) {
            throw new InvalidRecordException("expected a number after \"####\", found "
                    + JsonRecords.quote(finalAnswer));
        }
        String solution = CALCULATOR_NOTE.matcher(answer.substring(0, marker)).replaceAll("").stripTrailing();
        if (solution.contains("<<") || solution.contains(">>")) {
            throw new InvalidRecordException("expected calculator notes of the form <<48/2=24>>, found an unmatched "
                    + "\"<<\" or \">>\" in " + JsonRecords.quote(solution));
        }
        String reply = solution.isBlank() ? "The answer is " + finalAnswer + "."
                : solution + "\nThe answer is " + finalAnswer + ".";
        List<ChatMessage> messages = List.of(ChatMessage.user(question), ChatMessage.assistant(reply));
        return InvalidRecordException.check(() -> new SftRecord(messages, Optional.of(finalAnswer), location));
    }
}
