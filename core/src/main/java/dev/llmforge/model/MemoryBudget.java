package dev.llmforge.model;

import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.DType;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * The memory a backend's tensors can use, and the check that an estimate fits it before anything is
 * allocated: a config from a file or a flag that asks for more is refused with the figures, instead
 * of ending in an out-of-memory error (or a native crash) part way through building the model. The
 * Java heap's free room for backends that keep tensors there, the machine's (or container's) memory
 * for native engines.
 */
public final class MemoryBudget {
    private MemoryBudget() {
    }

    /** Bytes the parameters and buffers of a model of {@code config} take on {@code backend} with parameters of {@code dtype}. */
    public static long modelBytes(GptConfig config, DType dtype, Backend backend) {
        return Sizes.product(Sizes.sum(config.parameterCount(), config.bufferElementCount()), backend.bytesPerElement(dtype));
    }

    /** Bytes there are for new tensors of {@code backend}, or {@link Long#MAX_VALUE} if the platform does not tell. */
    public static long available(Backend backend) {
        if (backend.tensorsOnJavaHeap()) {
            Runtime rt = Runtime.getRuntime();
            return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return Long.MAX_VALUE;
    }

    /** Where {@link #available} measures, for messages. */
    public static String describeAvailable(Backend backend) {
        return backend.tensorsOnJavaHeap() ? "free in the Java heap (raise it with -Xmx)" : "of memory in this machine";
    }

    /**
     * Refuses {@code what} if {@code bytes} exceed what {@link #available} reports.
     *
     * @param what   the thing to allocate, with where its size comes from (e.g. "the model of out/ckpt/config.json (n_layer 200000, ...)")
     * @param advice how to ask for less (e.g. "lower --block-size or --batch-size")
     */
    public static void require(long bytes, Backend backend, String what, String advice) {
        long available = available(backend);
        if (bytes > available) {
            throw new InsufficientMemoryException(String.format(Locale.ROOT, "%s needs about %s but there are %s %s on backend %s: %s",
                    what, format(bytes), format(available), describeAvailable(backend), backend.name(), advice));
        }
    }

    /** Bytes as {@code 512 B}, {@code 3.2 MiB}, {@code 1.5 TiB} ("more than 8 EiB" when saturated). */
    public static String format(long bytes) {
        if (bytes == Long.MAX_VALUE) {
            return "more than 8 EiB";
        }
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = bytes;
        int unit = 0;
        while (v >= 1024 && unit < units.length - 1) {
            v /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[unit]);
    }
}
