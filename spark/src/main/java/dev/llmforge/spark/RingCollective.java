package dev.llmforge.spark;

import dev.llmforge.distributed.Collective;
import dev.llmforge.distributed.CollectiveException;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.channels.ServerSocketChannel;
import java.util.List;

/**
 * A {@link Collective} over TCP between the replicas, arranged in a ring (rank r sends to r + 1 and
 * receives from r - 1, modulo the size).
 *
 * <p>{@link #allReduce} is the bandwidth-optimal ring all-reduce (Patarasuk and Yuan; Baidu's and
 * Horovod's): the buffer is cut into one chunk per replica; in N - 1 reduce-scatter steps each replica
 * adds the chunk it receives to its own and passes it on, so that each chunk's sum ends complete on one
 * replica; in N - 1 all-gather steps the complete chunks travel round the ring and overwrite the partial
 * ones. Every replica sends and receives 2(N - 1)/N of the buffer. Each chunk is summed in the fixed ring
 * order starting at its own index and then copied, so every replica ends with bit-identical sums, and a
 * rerun with the same inputs gives the same bits. {@link #broadcast} pipelines segments round the ring
 * from the root; {@link #barrier} is an all-reduce of nothing.
 *
 * <p>A failure closes both connections (so the neighbours fail at once rather than at their timeout)
 * and leaves the collective unusable.
 */
public final class RingCollective implements Collective {
    /** Broadcast segment: large enough to keep the link busy, small enough to pipeline round the ring. */
    static final int BROADCAST_SEGMENT_FLOATS = 256 * 1024;

    private final int rank;
    private final int size;
    private final RingLinks links; // null for a ring of one
    private int operations;
    private CollectiveException failure;
    private boolean closed;

    private RingCollective(int rank, int size, RingLinks links) {
        this.rank = rank;
        this.size = size;
        this.links = links;
    }

    /**
     * Builds the ring from the rendezvous: {@code peers} by rank (this replica's entry is the address
     * {@code server} listens on), and the session every replica received from rank 0. Returns when
     * this replica is connected to both neighbours; {@code server} is closed then.
     */
    static RingCollective connect(int rank, List<Peer> peers, long session, ServerSocketChannel server, RingOptions options) {
        int size = peers.size();
        if (rank < 0 || rank >= size) {
            throw new IllegalArgumentException("rank " + rank + " is outside a ring of " + size);
        }
        try (server) {
            if (size == 1) {
                return new RingCollective(rank, 1, null);
            }
            Peer previous = peers.get(Math.floorMod(rank - 1, size));
            Peer next = peers.get(Math.floorMod(rank + 1, size));
            return new RingCollective(rank, size, RingLinks.connect(peers.get(rank), previous, next, size, session, server, options));
        } catch (IOException e) {
            throw new CollectiveException("ring setup of rank " + rank + ": could not close the rendezvous socket: " + e, e);
        }
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    /** Bytes this replica has written to the next replica, headers included. */
    public long bytesSent() {
        return links == null ? 0 : links.bytesSent();
    }

    /** Bytes this replica has read from the previous replica, headers included. */
    public long bytesReceived() {
        return links == null ? 0 : links.bytesReceived();
    }

    @Override
    public void allReduce(FloatBuffer buffer) {
        FloatBuffer data = buffer.slice();
        run("all-reduce", op -> {
            for (int s = 0; s < size - 1; s++) { // reduce-scatter: add what arrives, pass it on
                int send = Math.floorMod(rank - s, size);
                int receive = Math.floorMod(rank - s - 1, size);
                FloatBuffer got = links.exchange("all-reduce", op, s, chunk(data, send), s, chunkLength(data, receive));
                FloatBuffer mine = chunk(data, receive);
                for (int i = 0; i < got.remaining(); i++) {
                    mine.put(i, mine.get(i) + got.get(i));
                }
            }
            for (int s = 0; s < size - 1; s++) { // all-gather: pass the complete chunks round
                int send = Math.floorMod(rank + 1 - s, size);
                int receive = Math.floorMod(rank - s, size);
                FloatBuffer got = links.exchange("all-reduce", op, size - 1 + s, chunk(data, send), size - 1 + s, chunkLength(data, receive));
                chunk(data, receive).put(got);
            }
        });
    }

    @Override
    public void broadcast(FloatBuffer buffer, int root) {
        if (root < 0 || root >= size) {
            throw new IllegalArgumentException("broadcast root " + root + " is outside a ring of " + size);
        }
        FloatBuffer data = buffer.slice();
        int segments = Math.max(1, (data.remaining() + BROADCAST_SEGMENT_FLOATS - 1) / BROADCAST_SEGMENT_FLOATS);
        boolean forwards = Math.floorMod(rank + 1, size) != root; // the replica before the root only receives
        run("broadcast", op -> {
            if (rank == root) {
                for (int k = 0; k < segments; k++) {
                    links.exchange("broadcast", op, k, segment(data, k), k, -1);
                }
                return;
            }
            for (int k = 0; k < segments; k++) { // receive segment k while forwarding segment k - 1
                FloatBuffer forward = forwards && k > 0 ? segment(data, k - 1) : null;
                segment(data, k).put(links.exchange("broadcast", op, k - 1, forward, k, segment(data, k).remaining()));
            }
            if (forwards) {
                links.exchange("broadcast", op, segments - 1, segment(data, segments - 1), segments - 1, -1);
            }
        });
    }

    @Override
    public void barrier() {
        allReduce(FloatBuffer.allocate(0));
    }

    private interface Operation {
        void run(int op);
    }

    private void run(String name, Operation operation) {
        if (closed) {
            throw new CollectiveException(name + " on rank " + rank + ": the ring collective is closed");
        }
        if (failure != null) {
            throw new CollectiveException(name + " on rank " + rank + ": the ring failed earlier: " + failure.getMessage(), failure);
        }
        if (size == 1) {
            return;
        }
        int op = ++operations;
        try {
            operation.run(op);
        } catch (CollectiveException e) {
            failure = e;
            links.close(); // the neighbours see the connections close and fail now, not at their timeout
            throw e;
        }
    }

    /** Chunk c of N: elements [c·L/N, (c+1)·L/N), sizes differing by at most one, empty when L < N. */
    private FloatBuffer chunk(FloatBuffer data, int c) {
        int from = chunkStart(data, c);
        return data.slice(from, chunkStart(data, c + 1) - from);
    }

    private int chunkLength(FloatBuffer data, int c) {
        return chunkStart(data, c + 1) - chunkStart(data, c);
    }

    private int chunkStart(FloatBuffer data, int c) {
        return (int) ((long) c * data.remaining() / size);
    }

    private static FloatBuffer segment(FloatBuffer data, int k) {
        int from = k * BROADCAST_SEGMENT_FLOATS;
        return data.slice(from, Math.min(BROADCAST_SEGMENT_FLOATS, data.remaining() - from));
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (links != null) {
                links.close();
            }
        }
    }
}
