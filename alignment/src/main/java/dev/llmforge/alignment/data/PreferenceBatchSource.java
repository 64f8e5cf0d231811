package dev.llmforge.alignment.data;

import dev.llmforge.tensor.Tensor;
import dev.llmforge.training.data.Batch;
import dev.llmforge.training.data.BatchSource;
import dev.llmforge.training.data.PaddedRecordSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Batches of preference pairs for a reward model or DPO: whole groups (every pair of one prompt in one batch, as
 * InstructGPT keeps the K(K−1)/2 comparisons of a prompt together), {@code groupsPerBatch} groups a batch, so a
 * batch has as many pairs P as its groups hold. Rows {@code 0..P-1} are the chosen sequences (prompt + response),
 * rows {@code P..2P-1} the rejected ones, row {@code i} and {@code i + P} one pair; right-padded with the padding
 * id to the longest sequence of the batch (the encoder bounds it):
 *
 * <ul>
 *   <li>{@link Batch#IDS}, {@link Batch#ATTENTION_MASK} (2P, T): the sequences, 1 for a real token;</li>
 *   <li>{@link Batch#LOSS_MASK} (2P, T): 1 on the response's tokens (the assistant's, with its end-of-turn);</li>
 *   <li>{@link #MARGIN} (2P): the pair's margin (0 when the data gives none), the same on both rows;</li>
 *   <li>{@link #PAIR_WEIGHT} (2P): 1 / (groups in the batch × pairs in the row's group), so that the weighted sum
 *       over a batch's pairs is a mean in which every prompt counts alike;</li>
 *   <li>{@link #REFERENCE_LOG_PROB} (2P), when given: the reference model's log-probability of the row's response
 *       (DPO with precomputed reference log-probabilities).</li>
 * </ul>
 *
 * <p>Groups come in epochs in a seeded shuffled order (or the given order): their order is a
 * {@link PaddedRecordSource} of one-token records holding each group's index, so epochs, shuffling, state and
 * resume are exactly those of SFT's batches.
 */
public final class PreferenceBatchSource implements BatchSource {
    /** (2P) F32: the pair's margin. */
    public static final String MARGIN = "margin";
    /** (2P) F32: the pair's weight in the batch's mean. */
    public static final String PAIR_WEIGHT = "pair_weight";
    /** (2P) F32: the reference model's summed log-probability of the row's response. */
    public static final String REFERENCE_LOG_PROB = "reference_log_prob";

    private final List<List<PreferenceExample>> groups;
    private final PaddedRecordSource order;
    private final long padId;
    private final List<double[][]> referenceLogProbs;

    private PreferenceBatchSource(Builder b) {
        this.groups = b.groups;
        this.padId = b.padId;
        this.referenceLogProbs = b.referenceLogProbs;
        List<PaddedRecordSource.Record> indices = new ArrayList<>(groups.size());
        for (int g = 0; g < groups.size(); g++) {
            indices.add(PaddedRecordSource.Record.allTargets(g));
        }
        PaddedRecordSource.Builder ob = PaddedRecordSource.builder(indices).batchSize(b.groupsPerBatch);
        if (b.seed != null) {
            ob.shuffle(b.seed);
        }
        this.order = ob.build();
    }

    /** A source over encoded groups (each group's pairs share one prompt; every group has at least one pair). */
    public static Builder builder(List<List<PreferenceExample>> groups) {
        return new Builder(groups);
    }

    @Override
    public Batch next() {
        long[] picked = order.next().longs(Batch.IDS); // (groupsPerBatch): the groups of this batch, in order
        List<List<PreferenceExample>> chosenGroups = new ArrayList<>(picked.length);
        List<double[][]> reference = referenceLogProbs == null ? null : new ArrayList<>(picked.length);
        for (long g : picked) {
            chosenGroups.add(groups.get((int) g));
            if (reference != null) {
                reference.add(referenceLogProbs.get((int) g));
            }
        }
        return batchOf(chosenGroups, padId, reference);
    }

    /**
     * The batch of these groups, laid out as the class says, padded to its longest sequence.
     * {@code referenceLogProbs}, if not null, holds per group {@code [pair][0 chosen | 1 rejected]}.
     */
    public static Batch batchOf(List<List<PreferenceExample>> groups, long padId, List<double[][]> referenceLogProbs) {
        List<PreferenceExample> pairs = new ArrayList<>();
        List<Float> weights = new ArrayList<>();
        for (List<PreferenceExample> group : groups) {
            for (PreferenceExample pair : group) {
                pairs.add(pair);
                weights.add(1f / (groups.size() * group.size()));
            }
        }
        int p = pairs.size();
        List<MaskedTokens> rows = new ArrayList<>(2 * p);
        pairs.forEach(pair -> rows.add(pair.chosenSequence()));
        pairs.forEach(pair -> rows.add(pair.rejectedSequence()));
        int t = rows.stream().mapToInt(MaskedTokens::length).max().orElseThrow();
        long[] ids = new long[2 * p * t];
        long[] attention = new long[2 * p * t];
        long[] response = new long[2 * p * t];
        float[] margin = new float[2 * p];
        float[] weight = new float[2 * p];
        Arrays.fill(ids, padId);
        long tokens = 0;
        for (int r = 0; r < 2 * p; r++) {
            MaskedTokens row = rows.get(r);
            PreferenceExample pair = pairs.get(r % p);
            int[] rowIds = row.ids();
            boolean[] rowResponse = row.lossMask();
            for (int i = 0; i < rowIds.length; i++) {
                ids[r * t + i] = rowIds[i];
                attention[r * t + i] = 1;
                response[r * t + i] = rowResponse[i] ? 1 : 0;
            }
            tokens += row.length();
            margin[r] = (float) pair.margin().orElse(0);
            weight[r] = weights.get(r % p);
        }
        Batch.Builder b = Batch.builder(2 * p).longs(Batch.IDS, ids, 2 * p, t).longs(Batch.ATTENTION_MASK, attention, 2 * p, t)
                .longs(Batch.LOSS_MASK, response, 2 * p, t).floats(MARGIN, margin, 2 * p).floats(PAIR_WEIGHT, weight, 2 * p).tokens(tokens);
        if (referenceLogProbs != null) {
            b.floats(REFERENCE_LOG_PROB, referenceColumn(referenceLogProbs, p), 2 * p);
        }
        return b.build();
    }

    private static float[] referenceColumn(List<double[][]> perGroup, int p) {
        float[] out = new float[2 * p];
        int i = 0;
        for (double[][] group : perGroup) {
            for (double[] pair : group) {
                out[i] = (float) pair[0];
                out[i + p] = (float) pair[1];
                i++;
            }
        }
        return out;
    }

    /** The chosen half (P, ...) of a batch's rows (2P, ...). */
    public static Tensor chosen(Tensor rows) {
        return rows.slice(0, 0, rows.dim(0) / 2);
    }

    /** The rejected half (P, ...) of a batch's rows (2P, ...). */
    public static Tensor rejected(Tensor rows) {
        return rows.slice(0, rows.dim(0) / 2, rows.dim(0));
    }

    @Override
    public Map<String, Long> state() {
        return order.state();
    }

    @Override
    public void restore(Map<String, Long> state) {
        order.restore(state);
    }

    /** Settings of a {@link PreferenceBatchSource}. */
    public static final class Builder {
        private final List<List<PreferenceExample>> groups;
        private int groupsPerBatch = 1;
        private long padId;
        private Long seed;
        private List<double[][]> referenceLogProbs;

        private Builder(List<List<PreferenceExample>> groups) {
            if (groups.isEmpty()) {
                throw new IllegalArgumentException("a preference batch source needs at least one group of pairs");
            }
            for (List<PreferenceExample> g : groups) {
                if (g.isEmpty()) {
                    throw new IllegalArgumentException("every preference group needs at least one pair, found an empty group");
                }
            }
            this.groups = List.copyOf(groups);
        }

        /** Groups (prompts) per batch; default 1. */
        public Builder groupsPerBatch(int v) {
            if (v <= 0) {
                throw new IllegalArgumentException("groups per batch must be positive, got " + v);
            }
            groupsPerBatch = v;
            return this;
        }

        /** The id written where there is no token (it may equal EOS: the masks tell padding apart). */
        public Builder padId(long v) {
            padId = v;
            return this;
        }

        /** Visits the groups in an order shuffled from {@code seed}, a new one each epoch; default: the given order. */
        public Builder shuffle(long v) {
            seed = v;
            return this;
        }

        /** The reference model's log-probabilities, per group {@code [pair][0 chosen | 1 rejected]}, in the groups' order. */
        public Builder referenceLogProbs(List<double[][]> v) {
            if (v.size() != groups.size()) {
                throw new IllegalArgumentException("reference log-probabilities for " + v.size() + " groups, the source has " + groups.size());
            }
            for (int g = 0; g < v.size(); g++) {
                if (v.get(g).length != groups.get(g).size()) {
                    throw new IllegalArgumentException("group " + g + " has " + groups.get(g).size() + " pairs, its reference log-probabilities "
                            + v.get(g).length);
                }
            }
            referenceLogProbs = List.copyOf(v);
            return this;
        }

        public PreferenceBatchSource build() {
            return new PreferenceBatchSource(this);
        }
    }
}
