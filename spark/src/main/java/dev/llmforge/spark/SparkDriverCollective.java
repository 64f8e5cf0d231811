package dev.llmforge.spark;

import dev.llmforge.distributed.Collective;
import dev.llmforge.distributed.CollectiveException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Base64;
import org.apache.spark.BarrierTaskContext;

/**
 * The reference collective: every operation goes through the Spark driver with one
 * {@link BarrierTaskContext#allGather} (each replica's buffer as Base64 text), and each replica sums
 * the N buffers itself in rank order in double precision, so the result is the exact sum rounded once
 * to float, the same on every replica. Each call costs a driver round trip and Spark's one-second
 * polling, so it suits small models, and serves as the oracle of the ring in tests.
 */
public final class SparkDriverCollective implements Collective {
    private final BarrierTaskContext context;

    public SparkDriverCollective(BarrierTaskContext context) {
        this.context = context;
    }

    @Override
    public int rank() {
        return context.partitionId();
    }

    @Override
    public int size() {
        return context.getTaskInfos().length;
    }

    @Override
    public void allReduce(FloatBuffer buffer) {
        String[] all = context.allGather(encode(buffer));
        float[][] parts = new float[all.length][];
        for (int r = 0; r < all.length; r++) {
            parts[r] = decode(all[r], r, buffer.remaining(), "all-reduce");
        }
        for (int i = 0; i < buffer.remaining(); i++) {
            double sum = 0;
            for (float[] part : parts) {
                sum += part[i];
            }
            buffer.put(buffer.position() + i, (float) sum);
        }
    }

    @Override
    public void broadcast(FloatBuffer buffer, int root) {
        String[] all = context.allGather(rank() == root ? encode(buffer) : "");
        buffer.duplicate().put(decode(all[root], root, buffer.remaining(), "broadcast"));
    }

    @Override
    public void barrier() {
        context.barrier();
    }

    @Override
    public void close() {
        // nothing held: Spark owns the connection to the driver
    }

    private static String encode(FloatBuffer buffer) {
        ByteBuffer bytes = ByteBuffer.allocate(buffer.remaining() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(buffer.duplicate());
        return Base64.getEncoder().encodeToString(bytes.array());
    }

    private float[] decode(String text, int from, int expected, String operation) {
        byte[] bytes = Base64.getDecoder().decode(text);
        if (bytes.length != expected * Float.BYTES) {
            throw new CollectiveException("reference " + operation + " through the Spark driver: rank " + from + " sent "
                    + bytes.length / Float.BYTES + " elements where rank " + rank() + " has " + expected
                    + ": the replicas called the collective differently");
        }
        float[] out = new float[expected];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }
}
