package dev.llmforge.training;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The lock a run holds on its output directory ({@value #FILE}, holding the process id), so that a
 * second run on the same directory refuses to start instead of replacing the first one's
 * checkpoints and metrics. The operating system releases it when the process ends, even by
 * {@code kill -9}; the file itself stays and is reused.
 */
public final class OutputLock implements AutoCloseable {
    public static final String FILE = ".llmforge.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private OutputLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code outputDir} (creating it) for this process.
     *
     * @throws OutputDirectoryException naming the process that holds it, if another run does
     */
    public static OutputLock acquire(Path outputDir) throws IOException {
        Files.createDirectories(outputDir);
        Path file = outputDir.resolve(FILE);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException heldHere) {
            lock = null;
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            String holder = holder(ch);
            ch.close();
            throw new OutputDirectoryException(outputDir + " is in use by another run (process " + holder + ", lock file " + file
                    + "): wait for it to end, stop it, or choose another output directory");
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        ch.force(true);
        return new OutputLock(ch, lock);
    }

    private static String holder(FileChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(64);
        ch.read(buf, 0);
        String pid = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).strip();
        return pid.isEmpty() ? "unknown" : pid;
    }

    @Override
    public void close() throws IOException {
        try (channel) {
            lock.release();
        }
    }
}
