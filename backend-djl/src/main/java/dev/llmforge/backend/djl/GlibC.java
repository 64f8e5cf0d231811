package dev.llmforge.backend.djl;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/** The few glibc functions the backend calls through JNA (Linux with glibc only). */
interface GlibC extends Library {
    int malloc_trim(long pad);

    int getpagesize();

    int setenv(String name, String value, int overwrite);

    String getenv(String name);

    /** glibc, or null elsewhere than Linux or where the C library is not glibc (musl has no malloc_trim). */
    static GlibC load() {
        if (!Platform.isLinux()) {
            return null;
        }
        try {
            GlibC c = Native.load("c", GlibC.class);
            c.getpagesize();
            return c;
        } catch (UnsatisfiedLinkError e) {
            return null;
        }
    }
}
