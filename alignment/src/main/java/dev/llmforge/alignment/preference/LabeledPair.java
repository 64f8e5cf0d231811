package dev.llmforge.alignment.preference;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmforge.alignment.io.JsonLines;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One preference, a line of a preference file in TRL's standard format {@code {"prompt", "chosen", "rejected"}},
 * plus {@code "kind"} (form, correctness or length) so that reward-model accuracy can be reported per kind.
 *
 * @param prompt   the question as the user asked it (the trainer renders it with its chat template)
 * @param chosen   the better response
 * @param rejected the worse response
 * @param kind     what separates them
 */
public record LabeledPair(String prompt, String chosen, String rejected, PairKind kind) {
    public LabeledPair {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(chosen, "chosen");
        Objects.requireNonNull(rejected, "rejected");
        Objects.requireNonNull(kind, "kind");
    }

    public ObjectNode toJson() {
        ObjectNode json = JsonLines.object();
        json.put("prompt", prompt);
        json.put("chosen", chosen);
        json.put("rejected", rejected);
        json.put("kind", kind.label());
        return json;
    }

    /** Writes {@code pairs} as a preference file, atomically. */
    public static void write(Path file, List<LabeledPair> pairs) throws IOException {
        JsonLines.write(file, pairs.stream().map(LabeledPair::toJson).toList());
    }

    /** Reads a preference file written by {@link #write}; a bad line is an error naming the file and line. */
    public static List<LabeledPair> read(Path file) throws IOException {
        return JsonLines.read(file, line -> new LabeledPair(JsonLines.requiredText(line, "prompt"),
                JsonLines.requiredText(line, "chosen"), JsonLines.requiredText(line, "rejected"),
                PairKind.ofLabel(JsonLines.requiredText(line, "kind"))));
    }
}
