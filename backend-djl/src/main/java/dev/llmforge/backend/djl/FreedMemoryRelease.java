package dev.llmforge.backend.djl;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * Gives memory that PyTorch's CPU tensors freed back to the operating system. Those tensors come
 * from glibc's {@code malloc}, which keeps freed blocks in its heap for reuse; a training step frees
 * and allocates hundreds of them in a changing order, and the heap then holds more free memory than
 * used ({@code mallinfo2} in nanoGPT's run). {@code malloc_trim(0)} returns their pages; a call
 * can take milliseconds, so {@link #releaseIfDue()} calls it at most every {@value #PERIOD_MILLIS}
 * ms. With it, llmforge's peak RSS in that run came close to the same model hand-written on DJL
 * (the module README, "Memory given back", has the figures). Linux with glibc only; elsewhere it
 * does nothing.
 */
final class FreedMemoryRelease {
    /** Least time between two releases. */
    static final long PERIOD_MILLIS = 1000;

    private interface GlibC extends Library {
        int malloc_trim(long pad);
    }

    private final GlibC glibc = load();
    private long last = System.nanoTime();

    private static GlibC load() {
        if (!Platform.isLinux()) {
            return null;
        }
        try {
            return Native.load("c", GlibC.class);
        } catch (UnsatisfiedLinkError e) { // not glibc (musl has no malloc_trim)
            return null;
        }
    }

    /** Whether this platform's allocator can give freed memory back (glibc). */
    boolean available() {
        return glibc != null;
    }

    /** Releases freed memory if {@value #PERIOD_MILLIS} ms have passed since the last release. */
    synchronized void releaseIfDue() {
        long now = System.nanoTime();
        if (glibc != null && now - last >= PERIOD_MILLIS * 1_000_000) {
            last = now;
            glibc.malloc_trim(0);
        }
    }

    /** Releases freed memory now; returns whether the allocator gave any back. */
    synchronized boolean releaseNow() {
        last = System.nanoTime();
        return glibc != null && glibc.malloc_trim(0) == 1;
    }
}
