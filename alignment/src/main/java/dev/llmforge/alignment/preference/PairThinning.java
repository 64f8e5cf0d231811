package dev.llmforge.alignment.preference;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Keeps only a share of the pairs of one kind, to weigh what a preference file teaches: the labeler's length-only
 * pairs, say, which outnumber the pairs that differ in correctness when most sampled answers are equally right and
 * a reward model (or DPO) trained on all of them learns "shorter" before "right".
 */
public final class PairThinning {
    private PairThinning() {
    }

    /**
     * {@code pairs} with {@code round(share · n)} of its {@code n} pairs of {@code kind} kept — which ones drawn with
     * {@code seed} — and every other pair; the order of the pairs is kept. {@code share} 1 keeps all, 0 none.
     */
    public static List<LabeledPair> keep(List<LabeledPair> pairs, PairKind kind, double share, long seed) {
        if (!(share >= 0 && share <= 1)) {
            throw new IllegalArgumentException("the share of " + kind.label() + " pairs to keep must be between 0 and 1, found " + share);
        }
        List<Integer> ofKind = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            if (pairs.get(i).kind() == kind) {
                ofKind.add(i);
            }
        }
        Collections.shuffle(ofKind, new Random(seed));
        boolean[] dropped = new boolean[pairs.size()];
        for (int i : ofKind.subList((int) Math.round(share * ofKind.size()), ofKind.size())) {
            dropped[i] = true;
        }
        List<LabeledPair> kept = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            if (!dropped[i]) {
                kept.add(pairs.get(i));
            }
        }
        return kept;
    }
}
