package dev.llmforge.spark;

import dev.llmforge.distributed.CollectiveException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Locale;

/**
 * One replica's two connections in the ring: to the next replica, which it sends to, and from the
 * previous one, which it receives from. Both are non-blocking and served by one selector, so a send and
 * a receive progress together (no deadlock when every replica sends a chunk larger than the socket
 * buffers at once), a wait is bounded by the I/O timeout, and an interrupted thread (a Spark task being
 * killed) stops waiting at once.
 *
 * <p>Every message carries a header (operation number, step, element count) that the receiver checks
 * against what it expects, so replicas that call the collective differently fail with both calls named
 * instead of mixing up data.
 */
final class RingLinks implements AutoCloseable {
    private static final int MAGIC = 0x4C4D4652; // "LMFR"
    private static final int HELLO_BYTES = 4 + 8 + 4 + 4; // magic, session, rank, ring size
    private static final int HEADER_BYTES = 4 + 4 + 4; // operation number, step, element count

    private final Peer previous;
    private final Peer next;
    private final SocketChannel fromPrevious;
    private final SocketChannel toNext;
    private final Selector selector;
    private final SelectionKey readKey;
    private final SelectionKey writeKey;
    private final Duration ioTimeout;
    private ByteBuffer outgoing = message(0);
    private ByteBuffer incoming = message(0);
    private long bytesSent;
    private long bytesReceived;

    private RingLinks(Peer previous, Peer next, SocketChannel fromPrevious, SocketChannel toNext, Duration ioTimeout) throws IOException {
        this.previous = previous;
        this.next = next;
        this.fromPrevious = fromPrevious;
        this.toNext = toNext;
        this.ioTimeout = ioTimeout;
        this.selector = Selector.open();
        this.readKey = fromPrevious.register(selector, 0);
        this.writeKey = toNext.register(selector, 0);
    }

    /**
     * Connects to {@code next} and accepts {@code previous} on {@code server} (already listening, so the
     * order cannot deadlock). Both sides exchange a hello with the session chosen at the rendezvous, so a
     * connection from another run or another attempt of the stage is refused.
     */
    static RingLinks connect(Peer self, Peer previous, Peer next, int size, long session, ServerSocketChannel server, RingOptions options) {
        long deadline = System.nanoTime() + options.connectTimeout().toNanos();
        SocketChannel toNext = null;
        SocketChannel fromPrevious = null;
        try (Selector setup = Selector.open()) {
            toNext = SocketChannel.open();
            toNext.configureBlocking(false);
            toNext.connect(next.address());
            while (!toNext.finishConnect()) {
                await(setup, toNext, SelectionKey.OP_CONNECT, deadline, "connecting to " + next + " (the next replica in the ring)");
            }
            ByteBuffer hello = ByteBuffer.allocate(HELLO_BYTES).putInt(MAGIC).putLong(session).putInt(self.rank()).putInt(size).flip();
            while (hello.hasRemaining()) {
                if (toNext.write(hello) == 0) {
                    await(setup, toNext, SelectionKey.OP_WRITE, deadline, "greeting " + next);
                }
            }
            server.configureBlocking(false);
            while ((fromPrevious = server.accept()) == null) {
                await(setup, server, SelectionKey.OP_ACCEPT, deadline, "waiting for " + previous + " (the previous replica in the ring) to connect");
            }
            fromPrevious.configureBlocking(false);
            ByteBuffer theirs = ByteBuffer.allocate(HELLO_BYTES);
            while (theirs.hasRemaining()) {
                if (fromPrevious.read(theirs) < 0) {
                    throw new CollectiveException("ring setup: the connection expected from " + previous + " closed before its greeting");
                }
                if (theirs.hasRemaining()) {
                    await(setup, fromPrevious, SelectionKey.OP_READ, deadline, "waiting for the greeting of " + previous);
                }
            }
            theirs.flip();
            int magic = theirs.getInt();
            long theirSession = theirs.getLong();
            int theirRank = theirs.getInt();
            int theirSize = theirs.getInt();
            if (magic != MAGIC || theirSession != session || theirRank != previous.rank() || theirSize != size) {
                throw new CollectiveException(String.format(Locale.ROOT,
                        "ring setup: %s expected %s of session %016x in a ring of %d, but the connection that came greeted as rank %d of session %016x in a ring of %d%s",
                        self, previous, session, size, theirRank, theirSession, theirSize, magic != MAGIC ? " (not an llmforge ring at all)" : ""));
            }
            for (SocketChannel ch : new SocketChannel[] {toNext, fromPrevious}) {
                ch.socket().setTcpNoDelay(true);
            }
            return new RingLinks(previous, next, fromPrevious, toNext, options.ioTimeout());
        } catch (IOException | RuntimeException e) {
            closeQuietly(toNext);
            closeQuietly(fromPrevious);
            if (e instanceof CollectiveException ce) {
                throw ce;
            }
            throw new CollectiveException("ring setup of " + self + " failed (previous " + previous + ", next " + next + "): " + e, e);
        }
    }

    private static void await(Selector selector, java.nio.channels.SelectableChannel channel, int op, long deadline, String what) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new CollectiveException("ring setup timed out " + what);
        }
        SelectionKey key = channel.keyFor(selector);
        if (key == null) {
            key = channel.register(selector, op);
        } else {
            key.interestOps(op);
        }
        selector.select(Math.max(1, left / 1_000_000));
        selector.selectedKeys().clear();
        if (Thread.currentThread().isInterrupted()) {
            throw new CollectiveException("ring setup interrupted " + what);
        }
    }

    /**
     * Sends {@code send}'s elements (null: nothing) to the next replica, labelled with the operation and
     * {@code sendStep}, while receiving {@code receiveFloats} elements (negative: nothing) labelled with the
     * operation and {@code receiveStep} from the previous one. Returns the received elements, valid until
     * the next call.
     */
    FloatBuffer exchange(String operation, int op, int sendStep, FloatBuffer send, int receiveStep, int receiveFloats) {
        ByteBuffer out = null;
        if (send != null) {
            outgoing = capacity(outgoing, send.remaining());
            out = outgoing.clear();
            out.putInt(op).putInt(sendStep).putInt(send.remaining());
            out.asFloatBuffer().put(send.duplicate());
            out.position(HEADER_BYTES + send.remaining() * Float.BYTES).flip();
        }
        ByteBuffer in = null;
        if (receiveFloats >= 0) {
            incoming = capacity(incoming, receiveFloats);
            in = incoming.clear().limit(HEADER_BYTES);
        }
        transfer(operation, op, in != null ? receiveStep : sendStep, out, in, receiveFloats);
        return in == null ? null : in.position(HEADER_BYTES).slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    }

    /** Moves both buffers; {@code step} is the step expected in the incoming header, and names the step in errors. */
    private void transfer(String operation, int op, int step, ByteBuffer out, ByteBuffer in, int receiveFloats) {
        long timeout = ioTimeout.toNanos();
        long lastProgress = System.nanoTime();
        boolean headerChecked = false;
        while ((out != null && out.hasRemaining()) || (in != null && in.hasRemaining())) {
            boolean progress = false;
            if (out != null && out.hasRemaining()) {
                int n;
                try {
                    n = toNext.write(out);
                } catch (IOException e) {
                    throw new CollectiveException(where(operation, op, step) + ": could not send to " + next + " (the next replica in the ring): " + e, e);
                }
                bytesSent += n;
                progress |= n > 0;
            }
            if (in != null && in.hasRemaining()) {
                int n;
                try {
                    n = fromPrevious.read(in);
                } catch (IOException e) {
                    throw new CollectiveException(where(operation, op, step) + ": could not receive from " + previous + " (the previous replica in the ring): " + e, e);
                }
                if (n < 0) {
                    throw new CollectiveException(where(operation, op, step) + ": " + previous
                            + " (the previous replica in the ring) closed the connection: its task failed, was killed or left the run early");
                }
                bytesReceived += n;
                progress |= n > 0;
                if (!headerChecked && !in.hasRemaining()) {
                    checkHeader(operation, op, step, receiveFloats, in);
                    in.limit(HEADER_BYTES + receiveFloats * Float.BYTES);
                    headerChecked = true;
                }
            }
            if (progress) {
                lastProgress = System.nanoTime();
                continue;
            }
            long left = timeout - (System.nanoTime() - lastProgress);
            if (left <= 0) {
                throw new CollectiveException(timeoutMessage(operation, op, step, out, in));
            }
            readKey.interestOps(in != null && in.hasRemaining() ? SelectionKey.OP_READ : 0);
            writeKey.interestOps(out != null && out.hasRemaining() ? SelectionKey.OP_WRITE : 0);
            try {
                selector.select(Math.max(1, left / 1_000_000));
            } catch (IOException e) {
                throw new CollectiveException(where(operation, op, step) + ": selector failed: " + e, e);
            }
            selector.selectedKeys().clear();
            if (Thread.currentThread().isInterrupted()) {
                throw new CollectiveException(where(operation, op, step) + ": interrupted (the task is being killed)");
            }
        }
    }

    private void checkHeader(String operation, int op, int step, int floats, ByteBuffer in) {
        int theirOp = in.getInt(0);
        int theirStep = in.getInt(4);
        int theirFloats = in.getInt(8);
        if (theirOp != op || theirStep != step || theirFloats != floats) {
            throw new CollectiveException(String.format(Locale.ROOT,
                    "%s: %s sent operation #%d step %d with %d elements where this replica expected #%d step %d with %d:"
                            + " the replicas called the collective differently (different buffer lengths or a different number of calls)",
                    where(operation, op, step), previous, theirOp, theirStep, theirFloats, op, step, floats));
        }
    }

    private String timeoutMessage(String operation, int op, int step, ByteBuffer out, ByteBuffer in) {
        String seconds = ioTimeout.toMillis() % 1000 == 0 ? ioTimeout.toSeconds() + " s" : ioTimeout.toMillis() + " ms";
        StringBuilder m = new StringBuilder(where(operation, op, step)).append(": no progress for ").append(seconds).append(':');
        if (in != null && in.hasRemaining()) {
            m.append(" waiting for data from ").append(previous).append(" (the previous replica in the ring)");
        }
        if (out != null && out.hasRemaining()) {
            m.append(in != null && in.hasRemaining() ? " and" : "").append(" waiting for ").append(next)
                    .append(" (the next replica in the ring) to take data");
        }
        return m.append(": it hung, lags by more than the timeout, or its host is unreachable").toString();
    }

    private static String where(String operation, int op, int step) {
        return operation + " #" + op + " (step " + step + ")";
    }

    private static ByteBuffer message(int floats) {
        return ByteBuffer.allocateDirect(HEADER_BYTES + floats * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static ByteBuffer capacity(ByteBuffer buffer, int floats) {
        return buffer.capacity() >= HEADER_BYTES + floats * Float.BYTES ? buffer : message(floats);
    }

    long bytesSent() {
        return bytesSent;
    }

    long bytesReceived() {
        return bytesReceived;
    }

    @Override
    public void close() {
        closeQuietly(selector);
        closeQuietly(toNext);
        closeQuietly(fromPrevious);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing after a failure or at the end: nothing more to do
            }
        }
    }
}
