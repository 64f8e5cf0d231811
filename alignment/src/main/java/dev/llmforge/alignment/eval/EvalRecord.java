package dev.llmforge.alignment.eval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmforge.alignment.answers.AnswerChecker;
import dev.llmforge.alignment.io.JsonLines;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One evaluation task, a line of an {@code eval} file: {@code {"question": "...", "answer": "..."}}. Two optional
 * fields are kept when present: {@code kind} (what the question is about, e.g. "capital" or "age", for reports
 * that split by it) and {@code solution} (a worked response, for few-shot exemplars). Other fields are ignored.
 *
 * @param question the prompt's question
 * @param answer   the expected answer: a number ("67") or a fact ("Beijing"); see {@link AnswerChecker}
 * @param kind     optional, null when absent
 * @param solution optional, null when absent
 */
public record EvalRecord(String question, String answer, String kind, String solution) {
    public EvalRecord {
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(answer, "answer");
        if (question.isBlank() || answer.isBlank()) {
            throw new IllegalArgumentException("an eval record needs a non-empty question and answer, found question \""
                    + question + "\" and answer \"" + answer + "\"");
        }
    }

    public EvalRecord(String question, String answer) {
        this(question, answer, null, null);
    }

    /** Reads an eval file; a bad line is an error naming the file, the line and what is wrong. */
    public static List<EvalRecord> read(Path file) throws IOException {
        return read(file, record -> {
        });
    }

    /**
     * Reads an eval file, passing each record to {@code check} as it is read: an {@link IllegalArgumentException}
     * from the check (e.g. a question the model's tokenizer cannot write) is an error naming the file and line.
     */
    public static List<EvalRecord> read(Path file, Consumer<EvalRecord> check) throws IOException {
        return JsonLines.read(file, line -> {
            EvalRecord record = new EvalRecord(JsonLines.requiredText(line, "question"),
                    JsonLines.requiredText(line, "answer"), JsonLines.optionalText(line, "kind"),
                    JsonLines.optionalText(line, "solution"));
            check.accept(record);
            return record;
        });
    }

    /** Writes {@code records} as an eval file, atomically. */
    public static void write(Path file, List<EvalRecord> records) throws IOException {
        JsonLines.write(file, records.stream().map(EvalRecord::toJson).toList());
    }

    /** This record as one JSON object (fields in the order question, answer, kind, solution; nulls left out). */
    public ObjectNode toJson() {
        ObjectNode json = JsonLines.object();
        json.put("question", question);
        json.put("answer", answer);
        if (kind != null) {
            json.put("kind", kind);
        }
        if (solution != null) {
            json.put("solution", solution);
        }
        return json;
    }
}
