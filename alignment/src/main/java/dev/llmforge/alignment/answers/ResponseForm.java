package dev.llmforge.alignment.answers;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Whether a completion answers the prompt or continues the document — what separates an assistant from a base
 * model, which follows a question with more questions.
 *
 * <p>The rule looks at the completion's first non-empty line, after an answer label that may open it
 * ({@code A:}, {@code Answer:}, {@code Assistant:}, {@code Solution:}) and list numbering ({@code 2.}, {@code 3)},
 * {@code -}). The completion {@link #CONTINUES} when that line
 * <ul>
 *   <li>says nothing: it is missing (the completion is empty or white space) or holds no letter or digit (a bare
 *       ".", which PPO against a length-loving reward model learned to write);
 *   <li>opens a new prompt or document: {@code Q:}, {@code Question}, {@code Problem}, {@code Human:},
 *       {@code User:}, {@code Worksheet}, {@code Answer key};
 *   <li>asks something: it has a sentence ending with '?' (so an answer that then asks a new question on the same
 *       line continues too — a clean answer asks nothing);
 *   <li>gives an instruction: its first word is an imperative such as Explain, Write, Describe, Name, List, Find,
 *       Solve, Calculate (the full list is {@link #INSTRUCTION_VERBS});
 *   <li>asks without a question mark: one of its sentences opens with an interrogative (What, Which, Who, Whose,
 *       Where, Why, How) or holds "how old", "how many" or "how much" ("Now I'm 40 how old is my");
 *   <li>restates the question without answering it ({@link QuestionEcho}): it repeats most of the question's words
 *       and adds few of its own ("When I was 6 my friend was age. Now I'm 3 years old is my friend was" after
 *       "When I was 6 my friend was half my age. Now I'm 70 how old is my friend?").
 * </ul>
 * Otherwise it {@link #ANSWERS}. Lines after the first are not read: "Beijing.\nQ: What's the capital of Peru?"
 * answers (that it then went on is the labeler's "ends cleanly" feature).
 */
public enum ResponseForm {
    ANSWERS,
    CONTINUES;

    /** Imperatives that open an instruction ("Explain the moon landing to a 6 year old."). */
    public static final Set<String> INSTRUCTION_VERBS = Set.of("explain", "describe", "write", "name", "list", "give",
            "tell", "find", "solve", "calculate", "compute", "work", "answer", "translate", "summarize", "summarise",
            "define", "compare", "show", "state", "fill", "complete", "read", "say", "draw", "choose", "match", "circle",
            "spell", "count");

    private static final Pattern ANSWER_LABEL = Pattern.compile("(?i)^(?:a|answer|assistant|solution)\\s*:\\s*");
    private static final Pattern LIST_MARK = Pattern.compile("^(?:\\d+[.)]|[-*•])\\s+");
    private static final Pattern NEW_PROMPT = Pattern.compile(
            "(?i)^(?:q\\s*:|question\\b|problem\\b|human\\s*:|user\\s*:|worksheet\\b|answer key\\b)");
    private static final Pattern LETTER_OR_DIGIT = Pattern.compile("[\\p{L}\\p{N}]");
    private static final Pattern FIRST_WORD = Pattern.compile("^\\p{L}+");
    private static final Pattern INTERROGATIVE = Pattern.compile(
            "(?i)(?:^|[.!;:]\\s+)(?:what|which|who|whose|where|why|how)\\b|\\bhow\\s+(?:old|many|much)\\b");

    /** The form of {@code completion}, the text a model produced after a prompt that asked {@code question}. */
    public static ResponseForm of(String question, String completion) {
        String line = firstLine(completion);
        line = ANSWER_LABEL.matcher(line).replaceFirst("");
        line = LIST_MARK.matcher(line).replaceFirst("").strip();
        if (!LETTER_OR_DIGIT.matcher(line).find() || NEW_PROMPT.matcher(line).find() || line.contains("?") || startsWithInstruction(line)
                || INTERROGATIVE.matcher(line).find() || QuestionEcho.restates(question, line)) {
            return CONTINUES;
        }
        return ANSWERS;
    }

    /** True when {@code completion} answers {@code question} rather than continues the document. */
    public static boolean answers(String question, String completion) {
        return of(question, completion) == ANSWERS;
    }

    private static String firstLine(String text) {
        for (String line : text.split("\\R", -1)) {
            if (!line.isBlank()) {
                return line.strip();
            }
        }
        return "";
    }

    private static boolean startsWithInstruction(String line) {
        var word = FIRST_WORD.matcher(line);
        return word.find() && INSTRUCTION_VERBS.contains(word.group().toLowerCase(Locale.ROOT));
    }
}
