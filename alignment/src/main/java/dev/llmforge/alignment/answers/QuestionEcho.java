package dev.llmforge.alignment.answers;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Whether a line of a response restates the question instead of answering it — what a base model too weak to
 * finish the question does: "When I was 6 my friend was age. Now I'm 3 years old is my friend was" after "When I
 * was 6 my friend was half my age. Now I'm 70 how old is my friend?" has no question mark and no imperative, yet
 * answers nothing.
 *
 * <p>Words are compared after {@link AnswerText#normalize} (case, accents and punctuation folded). The line
 * restates the question when both hold:
 * <ul>
 *   <li>it repeats at least two thirds of the question's distinct words, and
 *   <li>fewer than a fifth of its own words are not in the question.
 * </ul>
 * An answer either adds its content ("China's capital is Beijing." adds 2 of 5 words; a worked solution adds its
 * sums and "The answer is N") or leaves most of the question out ("Oman is in Asia." repeats 3 of the 5 words of
 * "Which continent is Oman in?"). The rule reads words, not grammar: a line that repeats the whole question and adds
 * only its result ("When I was 6 my sister was half my age. Now I'm 70 my sister is 67.", 1 new word of 17) is
 * taken for a restatement too.
 */
public final class QuestionEcho {
    private QuestionEcho() {
    }

    /** True when {@code line} restates {@code question} rather than answers it. */
    public static boolean restates(String question, String line) {
        Set<String> asked = Set.copyOf(words(question));
        List<String> said = words(line);
        if (asked.isEmpty() || said.isEmpty()) {
            return false;
        }
        long repeated = said.stream().filter(asked::contains).distinct().count();
        long added = said.stream().filter(w -> !asked.contains(w)).count();
        return 3 * repeated >= 2L * asked.size() && 5 * added < said.size();
    }

    private static List<String> words(String text) {
        String normalized = AnswerText.normalize(text);
        return normalized.isEmpty() ? List.of() : Arrays.stream(normalized.split(" ")).collect(Collectors.toList());
    }
}
