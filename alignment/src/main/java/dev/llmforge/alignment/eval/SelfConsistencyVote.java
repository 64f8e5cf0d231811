package dev.llmforge.alignment.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Self-consistency (Wang et al. 2022): sample several reasoning paths, extract each one's final answer, and keep
 * the answer most paths reach. Paths without an answer abstain. A tie between answers is broken by the larger
 * sum of the tied answers' path scores — the summed token log-probabilities of each path, so among answers
 * reached equally often the one the model found more likely wins; a tie in that too goes to the answer seen
 * first.
 */
public final class SelfConsistencyVote {
    private SelfConsistencyVote() {
    }

    /**
     * The outcome of a vote.
     *
     * @param answer         the winning answer
     * @param votes          how many paths reached it
     * @param paths          how many paths were sampled (including those without an answer)
     * @param representative the index of the winning answer's highest-scoring path (its text can be shown or
     *                       scored as the vote's response)
     */
    public record Vote(String answer, int votes, int paths, int representative) {
    }

    /**
     * Votes over {@code answers} (one per path; empty where no answer could be extracted), with
     * {@code scores[i]} the summed log-probability of path i. Empty when no path has an answer.
     */
    public static Optional<Vote> vote(List<Optional<String>> answers, double[] scores) {
        if (answers.size() != scores.length) {
            throw new IllegalArgumentException("one score per path is needed, found " + answers.size() + " answers and "
                    + scores.length + " scores");
        }
        Map<String, Tally> tallies = new LinkedHashMap<>();
        for (int i = 0; i < scores.length; i++) {
            int path = i;
            answers.get(i).ifPresent(a -> tallies.computeIfAbsent(a, k -> new Tally(path)).add(path, scores[path]));
        }
        String winner = null;
        Tally best = null;
        for (Map.Entry<String, Tally> e : tallies.entrySet()) {
            Tally t = e.getValue();
            if (best == null || t.votes > best.votes || (t.votes == best.votes && t.scoreSum > best.scoreSum)) {
                winner = e.getKey();
                best = t;
            }
        }
        return best == null ? Optional.empty() : Optional.of(new Vote(winner, best.votes, scores.length, best.bestPath));
    }

    private static final class Tally {
        int votes;
        double scoreSum;
        int bestPath;
        double bestScore = Double.NEGATIVE_INFINITY;

        Tally(int firstPath) {
            this.bestPath = firstPath;
        }

        void add(int path, double score) {
            votes++;
            scoreSum += score;
            if (score > bestScore) {
                bestScore = score;
                bestPath = path;
            }
        }
    }
}
