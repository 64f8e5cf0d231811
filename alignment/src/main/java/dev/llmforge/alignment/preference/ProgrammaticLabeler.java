package dev.llmforge.alignment.preference;

import dev.llmforge.alignment.eval.EvalRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * Ranks sampled answers the way the story's human rankers would, by rules a program can check: a correct final
 * answer first, then answering rather than continuing the document, then stopping at the end of the turn, then
 * brevity ({@link ResponseFeatures#BEST_FIRST}). Deterministic: the same record and samples give the same ranks.
 */
public final class ProgrammaticLabeler {
    private ProgrammaticLabeler() {
    }

    /** Ranks {@code samples} (answers to {@code record}'s question): dense ranks, 0 best, equal features tie. */
    public static RankedResponses rank(EvalRecord record, List<Sample> samples) {
        List<ResponseFeatures> features = new ArrayList<>(samples.size());
        for (Sample sample : samples) {
            features.add(ResponseFeatures.of(record, sample));
        }
        List<ResponseFeatures> order = new ArrayList<>(features);
        order.sort(ResponseFeatures.BEST_FIRST);
        List<ResponseFeatures> distinct = new ArrayList<>();
        for (ResponseFeatures f : order) {
            if (distinct.isEmpty() || ResponseFeatures.BEST_FIRST.compare(distinct.get(distinct.size() - 1), f) != 0) {
                distinct.add(f);
            }
        }
        int[] ranks = new int[samples.size()];
        for (int i = 0; i < ranks.length; i++) {
            ranks[i] = distinct.indexOf(features.get(i));
        }
        return new RankedResponses(record.question(), samples, features, ranks);
    }

    /** The labeler's score of one sample ({@link ResponseFeatures#score()}): higher is better. */
    public static double score(EvalRecord record, Sample sample) {
        return ResponseFeatures.of(record, sample).score();
    }

    /** Positive when the labeler prefers {@code a}, negative when it prefers {@code b}, 0 for a tie (win rates). */
    public static int compare(EvalRecord record, Sample a, Sample b) {
        return -ResponseFeatures.BEST_FIRST.compare(ResponseFeatures.of(record, a), ResponseFeatures.of(record, b));
    }
}
