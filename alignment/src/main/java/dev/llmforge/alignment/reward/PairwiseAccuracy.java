package dev.llmforge.alignment.reward;

import dev.llmforge.alignment.data.PreferenceExample;
import dev.llmforge.alignment.data.RecordField;
import dev.llmforge.alignment.eval.EvalSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A reward model's pairwise accuracy over every pair of a data set (each pair counted once, not averaged over
 * batches), overall and per value of a record field — e.g. the labeler's {@code kind}, to tell pairs that differ in
 * form from pairs that differ only in the answer's correctness. A pair counts as right when the chosen response
 * scores strictly higher (a tie is wrong, as in {@link RewardObjective}'s accuracy).
 *
 * @param all     every pair
 * @param byValue pairs per value of the field (empty without a field), in the values' order
 */
public record PairwiseAccuracy(Count all, Map<String, Count> byValue) {
    /** Right pairs out of all pairs. */
    public record Count(int right, int pairs) {
        Count plus(boolean isRight) {
            return new Count(right + (isRight ? 1 : 0), pairs + 1);
        }

        public double accuracy() {
            return (double) right / pairs;
        }

        /** {@code right/pairs = p% (95% interval low-high%)}, a Wilson interval. */
        @Override
        public String toString() {
            return EvalSummary.proportion(right, pairs);
        }
    }

    /**
     * Scores every chosen and rejected sequence of {@code groups} with {@code model}, {@code batchSize} sequences at a
     * time; {@code field} (may be null) names the record field to count per value of.
     */
    public static PairwiseAccuracy measure(RewardModel model, List<List<PreferenceExample>> groups, RecordField field, int batchSize) {
        List<PreferenceExample> pairs = groups.stream().flatMap(List::stream).toList();
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("no pairs to measure the accuracy on");
        }
        List<int[]> sequences = new ArrayList<>(2 * pairs.size());
        for (PreferenceExample p : pairs) {
            sequences.add(p.chosenSequence().ids());
            sequences.add(p.rejectedSequence().ids());
        }
        double[] scores = model.scoreAll(sequences, batchSize);
        Count all = new Count(0, 0);
        Map<String, Count> byValue = new TreeMap<>();
        for (int i = 0; i < pairs.size(); i++) {
            boolean right = scores[2 * i] > scores[2 * i + 1];
            all = all.plus(right);
            if (field != null) {
                byValue.merge(field.valueAt(pairs.get(i).location()), new Count(0, 0).plus(right),
                        (a, b) -> new Count(a.right() + b.right(), a.pairs() + b.pairs()));
            }
        }
        return new PairwiseAccuracy(all, byValue);
    }

    /** One line per figure: {@code all: ...}, then {@code <field>=<value>: ...}. */
    public List<String> describe(String fieldName) {
        List<String> lines = new ArrayList<>();
        lines.add("all pairs: " + all);
        byValue.forEach((value, count) -> lines.add(fieldName + "=" + value + ": " + count));
        return lines;
    }
}
