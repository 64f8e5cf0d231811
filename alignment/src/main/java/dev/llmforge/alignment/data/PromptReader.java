package dev.llmforge.alignment.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmforge.alignment.eval.EvalRecord;
import dev.llmforge.tokenizer.chat.ChatMessage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Prompts for PPO and GRPO from any file the project reads: an eval file ({@code {"question","answer"}} lines,
 * as {@code llmforge world} writes them; told from GSM8K by an answer without GSM8K's {@code ####} line) gives
 * one user message and its expected answer per line; every fine-tuning format ({@link SftFormat}) gives each
 * record's conversation without its final answer, and the record's final answer when it has one.
 */
public final class PromptReader {
    private static final String GSM8K_ANSWER_MARK = "####";

    private PromptReader() {
    }

    /** The prompts of {@code file}, in file order; bad records go to {@code bad} (eval files always fail at the first). */
    public static List<RolloutPrompt> read(Path file, BadRecords bad) throws IOException {
        if (isEvalFile(file)) {
            List<RolloutPrompt> prompts = new ArrayList<>();
            List<EvalRecord> records = EvalRecord.read(file);
            for (int i = 0; i < records.size(); i++) {
                EvalRecord r = records.get(i);
                // the record's number: its line when the file has no blank lines (as llmforge world writes them)
                prompts.add(new RolloutPrompt(List.of(ChatMessage.user(r.question())), r.question(), Optional.of(r.answer()),
                        new RecordLocation(file.toString(), i + 1)));
            }
            return prompts;
        }
        return SftReader.read(List.of(file), bad).stream().map(RolloutPrompt::of).toList();
    }

    /** A JSON Lines file whose first record has a question and an answer that is not GSM8K's worked solution. */
    private static boolean isEvalFile(Path file) throws IOException {
        JsonRecords.FirstRecord first = JsonRecords.first(file);
        if (first.line().startsWith("Q:")) {
            return false;
        }
        ObjectNode record = first.object();
        JsonNode answer = record.get("answer");
        return record.has("question") && answer != null && !answer.asText().contains(GSM8K_ANSWER_MARK);
    }
}
