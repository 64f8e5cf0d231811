package dev.llmforge.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Random;

/**
 * Writes files under a temporary name in the target's directory and moves them into place. Files
 * and directories are created with the process's default permissions (the umask), like any file a
 * program writes, not the owner-only permissions of {@link Files#createTempFile}; after a rename the
 * directory itself is forced to disk, so the new name survives a power cut.
 */
public final class AtomicFiles {
    private static final Random NAMES = new SecureRandom();

    private AtomicFiles() {
    }

    /** Writes the contents of a file through a channel. */
    @FunctionalInterface
    public interface Writer {
        void write(FileChannel channel) throws IOException;
    }

    /**
     * Writes {@code target} atomically: the body writes a temporary file next to it, which is forced
     * to disk and renamed over the target. On any failure the target is untouched and the temporary
     * file is removed.
     */
    public static void write(Path target, Writer body) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = createUnique(dir, "." + target.getFileName() + ".", ".tmp", false);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                body.write(ch);
                ch.force(true);
            }
            move(tmp, target);
        } catch (IOException | RuntimeException | Error e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** Writes {@code bytes} to {@code target} atomically. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, ch -> {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        });
    }

    /** Renames {@code from} to {@code to}, atomically where the file system allows, replacing {@code to}, and syncs the directory. */
    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(to.toAbsolutePath().getParent());
    }

    /** A new empty directory {@code prefix + random} in {@code parent}, with the default permissions. */
    public static Path createDirectory(Path parent, String prefix) throws IOException {
        return createUnique(parent, prefix, "", true);
    }

    /**
     * Forces a directory's entries (names created, renamed or removed in it) to disk. File systems
     * that cannot open a directory for this (Windows) make their renames durable themselves.
     */
    public static void syncDirectory(Path dir) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(dir, StandardOpenOption.READ);
        } catch (IOException e) {
            return; // no directory handles on this platform
        }
        try (ch) {
            ch.force(true);
        }
    }

    private static Path createUnique(Path dir, String prefix, String suffix, boolean directory) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path p = dir.resolve(prefix + Long.toUnsignedString(NAMES.nextLong(), 36) + suffix);
            try {
                return directory ? Files.createDirectory(p) : Files.createFile(p);
            } catch (FileAlreadyExistsException e) {
                if (attempt == 10) {
                    throw e;
                }
            }
        }
    }
}
