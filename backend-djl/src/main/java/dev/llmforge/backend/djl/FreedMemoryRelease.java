package dev.llmforge.backend.djl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Gives memory that PyTorch's CPU tensors freed back to the operating system, when {@link ReleasePolicy}
 * says the process has grown. Those tensors come from glibc's {@code malloc}, which keeps freed
 * blocks in its heap for reuse; a training step frees and allocates hundreds of them in a changing
 * order, and the heap then holds tens of megabytes that nothing uses (in nanoGPT's run about 128 MB
 * free against 63 MB in use after 450 steps, per {@code mallinfo2}). {@code malloc_trim(0)} returns
 * their pages. Linux with glibc only; elsewhere it does nothing.
 */
final class FreedMemoryRelease {
    private static final Path STATM = Path.of("/proc/self/statm");

    private final GlibC glibc = GlibC.load();
    private final long pageBytes = glibc == null ? 0 : glibc.getpagesize();
    private final ReleasePolicy policy = new ReleasePolicy(this::residentBytes, System::nanoTime);

    /** Whether this platform's allocator can give freed memory back (glibc). */
    boolean available() {
        return glibc != null;
    }

    /** Releases freed memory if the process has grown since the last release (see {@link ReleasePolicy}). */
    synchronized void releaseIfDue() {
        if (glibc != null && policy.releaseDue()) {
            glibc.malloc_trim(0);
        }
    }

    /** Releases freed memory now; returns whether the allocator gave any back. */
    synchronized boolean releaseNow() {
        policy.released();
        return glibc != null && glibc.malloc_trim(0) == 1;
    }

    /** This process's resident size from /proc/self/statm (counted in pages), or -1 where it cannot be read. */
    private long residentBytes() {
        try {
            String[] fields = Files.readString(STATM).trim().split(" ");
            return Long.parseLong(fields[1]) * pageBytes;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
