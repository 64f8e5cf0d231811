package dev.llmforge.alignment.eval;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmforge.alignment.answers.AnswerChecker;
import dev.llmforge.alignment.answers.ResponseForm;
import dev.llmforge.alignment.io.JsonLines;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The verdict on one question: every sampled path scored on its own, and the question's verdict — the path's when
 * there is one, else the {@link SelfConsistencyVote self-consistency vote}'s: the answer most paths reach (ties
 * broken by summed log-probability), represented by its most likely path, whose correctness and
 * {@link ResponseForm form} are the question's. A question where no path has an answer is wrong, and its form
 * is the first path's.
 *
 * @param index        the question's place in the eval file (0-based)
 * @param record       the question and its expected answer
 * @param promptTokens the prompt's length in tokens
 * @param paths        the sampled responses, scored
 * @param vote         the vote over the paths' extracted answers; empty when no path has one
 */
public record QuestionResult(int index, EvalRecord record, int promptTokens, List<Path> paths,
                             Optional<SelfConsistencyVote.Vote> vote) {
    /**
     * One response, scored.
     *
     * @param text      the generated text
     * @param extracted the answer {@link AnswerChecker} extracted (what is voted on), if any
     * @param correct   whether it is right
     * @param answers   whether it answers rather than continues the document ({@link ResponseForm})
     * @param logProb   the summed log-probability of its tokens
     * @param tokens    its length in tokens
     */
    public record Path(String text, Optional<String> extracted, boolean correct, boolean answers, double logProb, int tokens) {
        /** Scores {@code text}, a response to {@code record}. */
        public static Path score(EvalRecord record, String text, double logProb, int tokens) {
            AnswerChecker.Checked checked = AnswerChecker.check(record.question(), record.answer(), text);
            return new Path(text, checked.extracted(), checked.correct(), ResponseForm.answers(record.question(), text), logProb, tokens);
        }
    }

    public QuestionResult {
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("a question result needs at least one path");
        }
        paths = List.copyOf(paths);
    }

    /** The result of the scored {@code paths}, voting over them. */
    public static QuestionResult of(int index, EvalRecord record, int promptTokens, List<Path> paths) {
        List<Optional<String>> answers = new ArrayList<>();
        double[] scores = new double[paths.size()];
        for (int i = 0; i < paths.size(); i++) {
            answers.add(paths.get(i).extracted());
            scores[i] = paths.get(i).logProb();
        }
        return new QuestionResult(index, record, promptTokens, paths, SelfConsistencyVote.vote(answers, scores));
    }

    /**
     * The result of this question's first {@code k} paths alone, voted on afresh: what sampling only those {@code k}
     * paths would have given (self-consistency at K = k as a prefix of a larger sample, as Wang et al. subsample
     * their 40 paths).
     */
    public QuestionResult firstPaths(int k) {
        if (k < 1 || k > paths.size()) {
            throw new IllegalArgumentException("cannot take the first " + k + " of " + paths.size() + " paths");
        }
        return of(index, record, promptTokens, paths.subList(0, k));
    }

    /** The path that stands for the question: the vote's representative, else the first. */
    public Path chosen() {
        return paths.get(vote.map(SelfConsistencyVote.Vote::representative).orElse(0));
    }

    public boolean correct() {
        return vote.isPresent() && chosen().correct();
    }

    public boolean answers() {
        return chosen().answers();
    }

    /**
     * One line of the results file: {@code index, question, answer, kind, prompt_tokens, correct, answers,
     * response} (the chosen path's text) and, with several paths, {@code vote, votes} and {@code paths} (each
     * {@code text, extracted, correct, answers, log_prob, tokens}); with one path its {@code extracted, log_prob, tokens}.
     */
    public ObjectNode toJson() {
        ObjectNode json = JsonLines.object();
        json.put("index", index);
        json.put("question", record.question());
        json.put("answer", record.answer());
        if (record.kind() != null) {
            json.put("kind", record.kind());
        }
        json.put("prompt_tokens", promptTokens);
        json.put("correct", correct());
        json.put("answers", answers());
        json.put("response", chosen().text());
        if (paths.size() == 1) {
            json.put("extracted", chosen().extracted().orElse(null));
            json.put("log_prob", chosen().logProb());
            json.put("tokens", chosen().tokens());
            return json;
        }
        json.put("vote", vote.map(SelfConsistencyVote.Vote::answer).orElse(null));
        json.put("votes", vote.map(SelfConsistencyVote.Vote::votes).orElse(0));
        ArrayNode all = json.putArray("paths");
        for (Path p : paths) {
            ObjectNode path = all.addObject();
            path.put("text", p.text());
            path.put("extracted", p.extracted().orElse(null));
            path.put("correct", p.correct());
            path.put("answers", p.answers());
            path.put("log_prob", p.logProb());
            path.put("tokens", p.tokens());
        }
        return json;
    }
}
