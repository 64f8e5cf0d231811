package dev.llmforge.spark;

import dev.llmforge.distributed.Collective;
import dev.llmforge.distributed.Replica;
import dev.llmforge.distributed.ReplicaTask;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.security.SecureRandom;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import scala.Tuple2;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

/**
 * The body of one barrier task: joins the collective, runs the replica's task, and meets the others at
 * a final barrier of the collective, so that a task reports success only when every replica finished
 * every operation. Returns (rank, result).
 */
final class ReplicaFunction<R extends Serializable> extends AbstractFunction1<Iterator<Integer>, Iterator<Tuple2<Integer, R>>>
        implements Serializable {
    private static final long serialVersionUID = 1L;

    private final DataParallelOptions options;
    private final ReplicaTask<R> task;

    ReplicaFunction(DataParallelOptions options, ReplicaTask<R> task) {
        this.options = options;
        this.task = task;
    }

    @Override
    public Iterator<Tuple2<Integer, R>> apply(Iterator<Integer> ignored) {
        BarrierTaskContext context = BarrierTaskContext.get();
        int rank = context.partitionId();
        R result;
        try (Collective collective = options.collective() == CollectiveKind.RING ? joinRing(context, options.ring())
                : new SparkDriverCollective(context)) {
            result = task.run(new Replica(rank, options.replicas(), collective, context.stageAttemptNumber()));
            collective.barrier();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("replica " + rank + " of " + options.replicas() + " failed: " + e, e);
        }
        return CollectionConverters.asScala(List.of(new Tuple2<>(rank, result)).iterator());
    }

    /**
     * The rendezvous: listen on a port the OS picks on this executor's host, tell the others with one
     * {@code allGather} (rank 0 adds the session), then connect the ring.
     */
    private static RingCollective joinRing(BarrierTaskContext context, RingOptions ring) {
        int rank = context.partitionId();
        int size = context.getTaskInfos().length;
        String host = Rendezvous.hostOf(context.getTaskInfos()[rank].address());
        ServerSocketChannel server;
        int port;
        try {
            server = ServerSocketChannel.open().bind(new InetSocketAddress(host, 0), size);
            port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new UncheckedIOException("replica " + rank + " could not listen on " + host + " (the executor's address): " + e, e);
        }
        long session = rank == 0 ? new SecureRandom().nextLong() : 0;
        Rendezvous rendezvous;
        try {
            rendezvous = Rendezvous.parse(context.allGather(Rendezvous.message(new Peer(rank, host, port), session)));
        } catch (RuntimeException e) {
            try {
                server.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        return RingCollective.connect(rank, rendezvous.peers(), rendezvous.session(), server, ring);
    }
}
