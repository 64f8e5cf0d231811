package dev.llmforge.distributed;

import java.nio.FloatBuffer;

/**
 * Collective communication between the {@link #size()} replicas of a data-parallel run, each holding
 * one {@link #rank()}. Every replica calls the same operations in the same order with buffers of the
 * same lengths; a call returns when this replica's part is done.
 *
 * <p>Buffers are {@link FloatBuffer}s (heap or direct), used from their position to their limit and
 * changed in place; positions are left unchanged. An implementation may be a socket ring between JVMs
 * (module {@code llmforge-spark}), a reduction through a cluster manager, or an engine's own
 * collectives: the training loop sees only this interface.
 *
 * <p>A failure (a peer that died, hung or sent something unexpected) throws {@link CollectiveException}
 * naming the peer; the collective is unusable afterwards and every later call throws.
 */
public interface Collective extends AutoCloseable {

    /** This replica's index, 0 to {@code size() - 1}. */
    int rank();

    /** The number of replicas. */
    int size();

    /**
     * Replaces {@code buffer}'s elements by their element-wise sum over all replicas. Every replica
     * receives bit-identical sums (implementations reduce in a fixed order, independent of timing).
     */
    void allReduce(FloatBuffer buffer);

    /** Replaces {@code buffer}'s elements by those of replica {@code root}. */
    void broadcast(FloatBuffer buffer, int root);

    /** Returns when every replica has called it. */
    void barrier();

    /** Releases connections and threads; does not wait for the other replicas. Idempotent. */
    @Override
    void close();
}
