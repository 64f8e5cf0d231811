package dev.llmforge.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.distributed.CollectiveException;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The ring over loopback with its replicas as threads: sums, order, broadcast, and what happens when a replica fails. */
class RingCollectiveTest {
    private static final RingOptions QUICK = new RingOptions(Duration.ofSeconds(10), Duration.ofSeconds(10));
    /** Lengths with chunks of unequal size, chunks left empty (fewer elements than replicas) and several broadcast segments. */
    private static final int[] LENGTHS = {0, 1, 2, 3, 4, 7, 1001, 65_537, 2 * RingCollective.BROADCAST_SEGMENT_FLOATS + 3};

    /** The value replica {@code rank} contributes at element {@code i} of buffer {@code b}: mixed signs and magnitudes. */
    private static float value(int rank, int b, int i) {
        double x = Math.sin(0.37 * i + 1.3 * rank + 0.11 * b);
        return (float) (x * Math.pow(10, (i + rank) % 7 - 3));
    }

    private static float[] contribution(int rank, int b, int length) {
        float[] out = new float[length];
        for (int i = 0; i < length; i++) {
            out[i] = value(rank, b, i);
        }
        return out;
    }

    @Test
    void allReduceIsTheSumWithinFloatRoundingAndBitIdenticalOnEveryReplica() throws Exception {
        for (int n : new int[] {2, 3, 4, 5}) {
            try (LoopbackRing ring = LoopbackRing.open(n, QUICK)) {
                List<List<float[]>> results = ring.run(member -> {
                    List<float[]> sums = new ArrayList<>();
                    for (int b = 0; b < LENGTHS.length; b++) {
                        float[] data = contribution(member.rank(), b, LENGTHS[b]);
                        member.allReduce(FloatBuffer.wrap(data));
                        sums.add(data);
                    }
                    return sums;
                });
                for (int b = 0; b < LENGTHS.length; b++) {
                    float[] got = results.get(0).get(b);
                    for (int i = 0; i < got.length; i++) {
                        double exact = 0;
                        double magnitude = 0;
                        for (int r = 0; r < n; r++) {
                            exact += value(r, b, i);
                            magnitude += Math.abs(value(r, b, i));
                        }
                        // a sum of n floats in float arithmetic is within (n - 1)·2^-24·Σ|x| of the exact sum
                        assertEquals(exact, got[i], n * 0x1p-24 * magnitude, "n=" + n + " length=" + LENGTHS[b] + " element " + i);
                    }
                    for (int r = 1; r < n; r++) {
                        assertArrayEquals(got, results.get(r).get(b), "n=" + n + " length=" + LENGTHS[b] + ": rank " + r + " differs from rank 0");
                    }
                }
            }
        }
    }

    @Test
    void eachChunkIsSummedInRingOrderFromItsOwnIndexSoRerunsGiveTheSameBits() throws Exception {
        int n = 3;
        int length = 10; // chunks [0,3) [3,6) [6,10)
        try (LoopbackRing ring = LoopbackRing.open(n, QUICK)) {
            float[] got = ring.run(member -> {
                float[] data = contribution(member.rank(), 9, length);
                member.allReduce(FloatBuffer.wrap(data));
                return data;
            }).get(0);
            for (int i = 0; i < length; i++) {
                int chunk = i < 3 ? 0 : i < 6 ? 1 : 2;
                float sum = value(chunk, 9, i);
                for (int k = 1; k < n; k++) {
                    sum = value((chunk + k) % n, 9, i) + sum;
                }
                assertEquals(sum, got[i], 0f, "element " + i + " of chunk " + chunk);
            }
        }
    }

    @Test
    void allReduceWorksOnTheRemainingPartOfADirectBufferAndLeavesItsPosition() throws Exception {
        try (LoopbackRing ring = LoopbackRing.open(2, QUICK)) {
            List<float[]> results = ring.run(member -> {
                FloatBuffer direct = java.nio.ByteBuffer.allocateDirect(5 * Float.BYTES).order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
                direct.put(new float[] {100, 1 + member.rank(), 2, 3, 100}).position(1).limit(4);
                member.allReduce(direct);
                assertEquals(1, direct.position());
                float[] all = new float[5];
                direct.clear().get(all);
                return all;
            });
            assertArrayEquals(new float[] {100, 3, 4, 6, 100}, results.get(0));
            assertArrayEquals(results.get(0), results.get(1));
        }
    }

    @Test
    void broadcastCopiesTheRootsValuesOverSeveralSegmentsFromAnyRoot() throws Exception {
        int n = 3;
        try (LoopbackRing ring = LoopbackRing.open(n, QUICK)) {
            for (int root = 0; root < n; root++) {
                int from = root;
                for (int length : new int[] {0, 5, 2 * RingCollective.BROADCAST_SEGMENT_FLOATS + 3}) {
                    List<float[]> results = ring.run(member -> {
                        float[] data = contribution(member.rank(), 1, length);
                        member.broadcast(FloatBuffer.wrap(data), from);
                        member.barrier();
                        return data;
                    });
                    for (int r = 0; r < n; r++) {
                        assertArrayEquals(contribution(from, 1, length), results.get(r), "root " + from + ", rank " + r + ", length " + length);
                    }
                }
            }
        }
    }

    @Test
    void bytesSentAreTwoTimesNMinusOneOverNOfTheBufferPlusHeaders() throws Exception {
        int n = 4;
        int length = 1000;
        try (LoopbackRing ring = LoopbackRing.open(n, QUICK)) {
            List<Long> sent = ring.run(member -> {
                member.allReduce(FloatBuffer.wrap(new float[length]));
                return member.bytesSent();
            });
            long headers = 2L * (n - 1) * 12;
            for (long s : sent) {
                assertEquals(2L * (n - 1) * length / n * Float.BYTES + headers, s);
            }
        }
    }

    @Test
    void aReplicaThatDiesMakesItsNeighbourFailNamingIt() throws Exception {
        try (LoopbackRing ring = LoopbackRing.open(3, QUICK)) {
            List<Future<Object>> running = ring.start(member -> {
                member.allReduce(FloatBuffer.wrap(new float[100]));
                if (member.rank() == 1) {
                    member.close(); // the replica's process is gone: the OS closes its sockets
                    return null;
                }
                member.allReduce(FloatBuffer.wrap(new float[100]));
                return null;
            });
            ExecutionException e = assertThrows(ExecutionException.class, () -> running.get(2).get(30, TimeUnit.SECONDS));
            String message = e.getCause().getMessage();
            assertTrue(e.getCause() instanceof CollectiveException, e.toString());
            assertTrue(message.startsWith("all-reduce #2 (step 0): rank 1 at 127.0.0.1:" + portOf(ring, 1)
                    + " (the previous replica in the ring) closed the connection"), message);
            assertThrows(ExecutionException.class, () -> running.get(0).get(30, TimeUnit.SECONDS), "rank 0 fails too");
        }
    }

    @Test
    void aReplicaThatHangsMakesItsNeighbourFailAfterTheTimeoutNamingIt() throws Exception {
        RingOptions options = new RingOptions(Duration.ofSeconds(10), Duration.ofMillis(500));
        try (LoopbackRing ring = LoopbackRing.open(2, options)) {
            List<Future<Object>> running = ring.start(member -> {
                if (member.rank() == 1) {
                    Thread.sleep(5_000); // alive, sockets open, but not taking part
                    return null;
                }
                long start = System.nanoTime();
                try {
                    member.allReduce(FloatBuffer.wrap(new float[10]));
                } finally {
                    assertTrue(System.nanoTime() - start < 3_000_000_000L, "the timeout, not a hang");
                }
                return null;
            });
            ExecutionException e = assertThrows(ExecutionException.class, () -> running.get(0).get(30, TimeUnit.SECONDS));
            assertEquals("all-reduce #1 (step 0): no progress for 500 ms: waiting for data from rank 1 at 127.0.0.1:" + portOf(ring, 1)
                    + " (the previous replica in the ring): it hung, lags by more than the timeout, or its host is unreachable",
                    e.getCause().getMessage());
            running.get(1).cancel(true);
        }
    }

    @Test
    void replicasCallingWithDifferentLengthsFailNamingBothCalls() throws Exception {
        try (LoopbackRing ring = LoopbackRing.open(2, QUICK)) {
            List<Future<Object>> running = ring.start(member -> {
                member.allReduce(FloatBuffer.wrap(new float[member.rank() == 0 ? 10 : 11]));
                return null;
            });
            ExecutionException e = assertThrows(ExecutionException.class, () -> running.get(0).get(30, TimeUnit.SECONDS));
            assertEquals("all-reduce #1 (step 0): rank 1 at 127.0.0.1:" + portOf(ring, 1) + " sent operation #1 step 0 with 6 elements"
                    + " where this replica expected #1 step 0 with 5: the replicas called the collective differently"
                    + " (different buffer lengths or a different number of calls)", e.getCause().getMessage());
            assertThrows(ExecutionException.class, () -> running.get(1).get(30, TimeUnit.SECONDS), "rank 1 fails too");
        }
    }

    @Test
    void afterAFailureEveryCallFailsWithTheFirstError() throws Exception {
        RingOptions options = new RingOptions(Duration.ofSeconds(10), Duration.ofMillis(200));
        try (LoopbackRing ring = LoopbackRing.open(2, options)) {
            RingCollective zero = ring.member(0);
            CollectiveException first = assertThrows(CollectiveException.class, () -> zero.allReduce(FloatBuffer.wrap(new float[4])));
            CollectiveException later = assertThrows(CollectiveException.class, zero::barrier);
            assertEquals("all-reduce on rank 0: the ring failed earlier: " + first.getMessage(), later.getMessage());
        }
    }

    @Test
    void aConnectionFromAnotherSessionIsRefused() throws Exception {
        java.nio.channels.ServerSocketChannel server0 = java.nio.channels.ServerSocketChannel.open()
                .bind(new java.net.InetSocketAddress("127.0.0.1", 0));
        java.nio.channels.ServerSocketChannel server1 = java.nio.channels.ServerSocketChannel.open()
                .bind(new java.net.InetSocketAddress("127.0.0.1", 0));
        List<Peer> peers = List.of(new Peer(0, "127.0.0.1", ((java.net.InetSocketAddress) server0.getLocalAddress()).getPort()),
                new Peer(1, "127.0.0.1", ((java.net.InetSocketAddress) server1.getLocalAddress()).getPort()));
        RingOptions options = new RingOptions(Duration.ofSeconds(2), Duration.ofSeconds(2));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            Future<RingCollective> zero = pool.submit(() -> RingCollective.connect(0, peers, 1L, server0, options));
            Future<RingCollective> one = pool.submit(() -> RingCollective.connect(1, peers, 2L, server1, options));
            ExecutionException e = assertThrows(ExecutionException.class, () -> zero.get(30, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().startsWith("ring setup: rank 0 at 127.0.0.1:" + peers.get(0).port() + " expected " + peers.get(1)
                    + " of session 0000000000000001 in a ring of 2, but the connection that came greeted as rank 1 of session 0000000000000002"),
                    e.getCause().getMessage());
            assertThrows(ExecutionException.class, () -> one.get(30, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
    }

    private static int portOf(LoopbackRing ring, int rank) {
        return ring.peer(rank).port();
    }
}
