package dev.llmforge.training.data;

import java.util.Map;

/**
 * One replica's rows of every batch of a source, for data-parallel training: the source makes the
 * global batch of B rows exactly as on one machine (the same seeded shuffle or windows, on every
 * replica), and replica {@code rank} of N keeps rows {@code [rank·B/N, (rank+1)·B/N)}. The N replicas
 * together train on one machine's batches, and every replica's source stays in one machine's state,
 * so rank 0's saved {@link #state()} resumes every replica.
 *
 * <p>A share counts the whole global batch's tokens ({@link Batch#tokens()}), so that a replica's
 * tokens-seen and tokens per second are the run's, as one machine would report them. Building the
 * global batch costs its host work on every replica (reading B windows or padding B records); the
 * model's compute is only on the share.
 */
public final class ReplicaShare implements BatchSource {
    private final BatchSource global;
    private final int rank;
    private final int replicas;

    private ReplicaShare(BatchSource global, int rank, int replicas) {
        this.global = global;
        this.rank = rank;
        this.replicas = replicas;
    }

    /** Replica {@code rank}'s share of {@code global}'s batches, among {@code replicas}. */
    public static ReplicaShare of(BatchSource global, int rank, int replicas) {
        if (replicas < 1 || rank < 0 || rank >= replicas) {
            throw new IllegalArgumentException("rank " + rank + " is outside " + replicas + " replicas");
        }
        return new ReplicaShare(global, rank, replicas);
    }

    @Override
    public Batch next() {
        Batch batch = global.next();
        if (batch.rows() % replicas != 0) {
            throw new IllegalArgumentException("a global batch has " + batch.rows() + " rows, not a multiple of the " + replicas
                    + " replicas: each replica takes an equal share of every batch's rows");
        }
        int share = batch.rows() / replicas;
        return batch.rows(rank * share, (rank + 1) * share, batch.tokens());
    }

    @Override
    public Map<String, Long> state() {
        return global.state();
    }

    @Override
    public void restore(Map<String, Long> state) {
        global.restore(state);
    }
}
