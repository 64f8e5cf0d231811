package dev.llmforge.distributed;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A collective between threads of one JVM for tests: sums in rank order, in double precision. */
final class InMemoryCollective implements Collective {
    private final int rank;
    private final Shared shared;

    private static final class Shared {
        final CyclicBarrier barrier;
        final float[][] slots;

        Shared(int size) {
            barrier = new CyclicBarrier(size);
            slots = new float[size][];
        }
    }

    private InMemoryCollective(int rank, Shared shared) {
        this.rank = rank;
        this.shared = shared;
    }

    static List<Collective> group(int size) {
        Shared shared = new Shared(size);
        List<Collective> out = new ArrayList<>();
        for (int r = 0; r < size; r++) {
            out.add(new InMemoryCollective(r, shared));
        }
        return out;
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return shared.slots.length;
    }

    @Override
    public void allReduce(FloatBuffer buffer) {
        float[] mine = new float[buffer.remaining()];
        buffer.duplicate().get(mine);
        shared.slots[rank] = mine;
        await();
        for (int i = 0; i < mine.length; i++) {
            double sum = 0;
            for (float[] slot : shared.slots) {
                if (slot.length != mine.length) {
                    throw new CollectiveException("lengths differ: " + slot.length + " vs " + mine.length);
                }
                sum += slot[i];
            }
            buffer.put(buffer.position() + i, (float) sum);
        }
        await();
    }

    @Override
    public void broadcast(FloatBuffer buffer, int root) {
        float[] mine = new float[buffer.remaining()];
        buffer.duplicate().get(mine);
        shared.slots[rank] = mine;
        await();
        buffer.duplicate().put(shared.slots[root]);
        await();
    }

    @Override
    public void barrier() {
        await();
    }

    private void await() {
        try {
            shared.barrier.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
            throw new CollectiveException("in-memory collective: rank " + rank + " gave up waiting", e);
        }
    }

    @Override
    public void close() {
    }
}
