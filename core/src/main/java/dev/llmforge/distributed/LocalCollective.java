package dev.llmforge.distributed;

import java.io.Serializable;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A collective between threads of one JVM, one thread per replica: for tests of data-parallel training
 * without a cluster, and for running replicas on one machine. Each operation meets at a barrier; an
 * all-reduce sums the replicas' buffers in rank order in double precision (the exactly rounded sum, the
 * same bits on every replica). A replica that closes, or waits longer than the timeout, breaks the
 * group: every replica's next or current call throws {@link CollectiveException}.
 */
public final class LocalCollective implements Collective {
    private final int rank;
    private final Group group;

    private static final class Group {
        final CyclicBarrier barrier;
        final float[][] slots;
        final long timeoutNanos;
        volatile boolean closed;

        Group(int size, Duration timeout) {
            barrier = new CyclicBarrier(size);
            slots = new float[size][];
            timeoutNanos = timeout.toNanos();
        }
    }

    private LocalCollective(int rank, Group group) {
        this.rank = rank;
        this.group = group;
    }

    /** {@code size} connected replicas (ranks 0 to size - 1) that wait for each other at most a minute per operation. */
    public static List<Collective> group(int size) {
        return group(size, Duration.ofMinutes(1));
    }

    /** {@code size} connected replicas that wait for each other at most {@code timeout} per operation. */
    public static List<Collective> group(int size, Duration timeout) {
        if (size < 1) {
            throw new IllegalArgumentException("a collective needs at least one replica, got " + size);
        }
        Group group = new Group(size, timeout);
        List<Collective> out = new ArrayList<>();
        for (int r = 0; r < size; r++) {
            out.add(new LocalCollective(r, group));
        }
        return out;
    }

    /**
     * Runs {@code task} on {@code replicas} threads of this JVM, connected by a local collective, and
     * returns the results in rank order. A replica that fails closes the group (so the others fail at
     * their next call instead of waiting); the failure that caused it is thrown, the others' suppressed.
     */
    public static <R extends Serializable> List<R> run(int replicas, Duration timeout, ReplicaTask<R> task) throws Exception {
        List<Collective> group = group(replicas, timeout);
        ExecutorService threads = Executors.newFixedThreadPool(replicas, r -> new Thread(r, "llmforge-replica"));
        try {
            List<Future<R>> futures = new ArrayList<>();
            for (Collective c : group) {
                futures.add(threads.submit(() -> {
                    try {
                        return task.run(new Replica(c.rank(), replicas, c, 0));
                    } catch (Exception | Error e) {
                        c.close();
                        throw e;
                    }
                }));
            }
            List<R> results = new ArrayList<>();
            List<Exception> failures = new ArrayList<>();
            for (Future<R> f : futures) {
                try {
                    results.add(f.get());
                } catch (ExecutionException e) {
                    failures.add(e.getCause() instanceof Exception x ? x : e);
                }
            }
            if (!failures.isEmpty()) {
                // the cause is the failure that is not a collective's reaction to another replica's
                Exception cause = failures.stream().filter(e -> !(e instanceof CollectiveException)).findFirst().orElse(failures.get(0));
                failures.stream().filter(e -> e != cause).forEach(cause::addSuppressed);
                throw cause;
            }
            return results;
        } finally {
            threads.shutdownNow();
        }
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return group.slots.length;
    }

    @Override
    public void allReduce(FloatBuffer buffer) {
        float[] mine = publish(buffer);
        for (int r = 0; r < group.slots.length; r++) {
            if (group.slots[r].length != mine.length) {
                await(); // let every replica read the lengths before failing together
                throw new CollectiveException("all-reduce: rank " + r + " gave " + group.slots[r].length + " elements, rank " + rank + " gave "
                        + mine.length + ": every replica must call with the same lengths");
            }
        }
        for (int i = 0; i < mine.length; i++) {
            double sum = 0;
            for (float[] slot : group.slots) {
                sum += slot[i];
            }
            buffer.put(buffer.position() + i, (float) sum);
        }
        await();
    }

    @Override
    public void broadcast(FloatBuffer buffer, int root) {
        if (root < 0 || root >= size()) {
            throw new IllegalArgumentException("broadcast root " + root + " is outside " + size() + " replicas");
        }
        float[] mine = publish(buffer);
        float[] from = group.slots[root];
        if (from.length != mine.length) {
            await();
            throw new CollectiveException("broadcast: root " + root + " sent " + from.length + " elements, rank " + rank + " expected " + mine.length);
        }
        buffer.duplicate().put(from);
        await();
    }

    @Override
    public void barrier() {
        await();
    }

    /** Puts a copy of this replica's elements where the others can read them, and waits until all have. */
    private float[] publish(FloatBuffer buffer) {
        float[] mine = new float[buffer.remaining()];
        buffer.duplicate().get(mine);
        group.slots[rank] = mine;
        await();
        return mine;
    }

    private void await() {
        if (group.closed) {
            throw new CollectiveException("local collective: rank " + rank + " called it after a replica closed the group");
        }
        try {
            group.barrier.await(group.timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            group.barrier.reset();
            throw new CollectiveException("local collective: rank " + rank + " was interrupted while waiting for the other replicas", e);
        } catch (BrokenBarrierException e) {
            throw new CollectiveException("local collective: another replica failed, closed or timed out while rank " + rank + " waited for it", e);
        } catch (TimeoutException e) {
            throw new CollectiveException("local collective: rank " + rank + " waited more than " + Duration.ofNanos(group.timeoutNanos)
                    + " for the other replicas: one hung or stopped calling", e);
        }
    }

    /** Breaks the group: replicas waiting now, and every later call, fail. */
    @Override
    public void close() {
        group.closed = true;
        group.barrier.reset();
    }
}
