package dev.llmforge.spark;

import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Replicas as threads of the test JVM, connected by a {@link RingCollective} over loopback, without Spark. */
final class LoopbackRing implements AutoCloseable {
    /** Replica work on one thread. */
    interface Work<R> {
        R run(RingCollective ring) throws Exception;
    }

    private final List<Peer> peers;
    private final List<RingCollective> members;
    private final ExecutorService threads;

    private LoopbackRing(List<Peer> peers, List<RingCollective> members, ExecutorService threads) {
        this.peers = peers;
        this.members = members;
        this.threads = threads;
    }

    /** Binds n sockets on 127.0.0.1 (ports chosen by the OS) and connects the ring, every member on its own thread. */
    static LoopbackRing open(int n, RingOptions options) throws Exception {
        List<ServerSocketChannel> servers = new ArrayList<>();
        List<Peer> peers = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), n);
            servers.add(server);
            peers.add(new Peer(r, "127.0.0.1", ((InetSocketAddress) server.getLocalAddress()).getPort()));
        }
        ExecutorService threads = Executors.newFixedThreadPool(n);
        List<Future<RingCollective>> connecting = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            int rank = r;
            connecting.add(threads.submit(() -> RingCollective.connect(rank, peers, 42L, servers.get(rank), options)));
        }
        List<RingCollective> members = new ArrayList<>();
        for (Future<RingCollective> f : connecting) {
            members.add(f.get(30, TimeUnit.SECONDS));
        }
        return new LoopbackRing(peers, members, threads);
    }

    Peer peer(int rank) {
        return peers.get(rank);
    }

    RingCollective member(int rank) {
        return members.get(rank);
    }

    /** Starts {@code work} for every member; the futures are in rank order. */
    <R> List<Future<R>> start(Work<R> work) {
        List<Future<R>> out = new ArrayList<>();
        for (RingCollective m : members) {
            out.add(threads.submit(() -> work.run(m)));
        }
        return out;
    }

    /** Runs {@code work} on every member and returns the results in rank order; the first failure is thrown. */
    <R> List<R> run(Work<R> work) throws Exception {
        List<R> out = new ArrayList<>();
        for (Future<R> f : start(work)) {
            out.add(f.get(60, TimeUnit.SECONDS));
        }
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        members.forEach(RingCollective::close);
        threads.shutdownNow();
        threads.awaitTermination(10, TimeUnit.SECONDS);
    }
}
