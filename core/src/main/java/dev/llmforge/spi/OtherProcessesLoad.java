package dev.llmforge.spi;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;

/**
 * How many processors other processes keep busy right now: the busy time of all processors in
 * {@code /proc/stat} over a short window, minus this JVM's own CPU time in that window (its start-up
 * work is not someone else's load). Linux only; elsewhere {@link #measure()} is empty.
 */
final class OtherProcessesLoad {
    static final Path PROC_STAT = Path.of("/proc/stat");
    static final long WINDOW_MILLIS = 200;

    private OtherProcessesLoad() {
    }

    /** Processors' worth of busy time outside this JVM over the last {@value #WINDOW_MILLIS} ms, or empty if it cannot be read. */
    static OptionalDouble measure() {
        if (!(ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) || !Files.isReadable(PROC_STAT)) {
            return OptionalDouble.empty();
        }
        try {
            List<String> before = Files.readAllLines(PROC_STAT);
            long ownBefore = os.getProcessCpuTime();
            long start = System.nanoTime();
            Thread.sleep(WINDOW_MILLIS);
            List<String> after = Files.readAllLines(PROC_STAT);
            long ownNanos = os.getProcessCpuTime() - ownBefore;
            double wallNanos = System.nanoTime() - start;
            if (ownBefore < 0) {
                return OptionalDouble.empty();
            }
            return OptionalDouble.of(busyElsewhere(before, after, ownNanos / wallNanos));
        } catch (IOException | RuntimeException e) {
            return OptionalDouble.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalDouble.empty();
        }
    }

    /**
     * Busy processors between two readings of {@code /proc/stat} (the "cpu" total line: user, nice,
     * system, idle, iowait, irq, softirq, steal; idle and iowait count as free), less
     * {@code ownProcessors} (this process's CPU time over the wall time), at least zero.
     */
    static double busyElsewhere(List<String> before, List<String> after, double ownProcessors) {
        long[] a = totalLine(before);
        long[] b = totalLine(after);
        long total = 0;
        for (int i = 0; i < Math.min(8, b.length); i++) {
            total += b[i] - a[i];
        }
        long idle = (b[3] - a[3]) + (b.length > 4 ? b[4] - a[4] : 0);
        if (total <= 0) {
            return 0;
        }
        double busyProcessors = (double) (total - idle) / total * processorLines(after);
        return Math.max(0, busyProcessors - ownProcessors);
    }

    private static long[] totalLine(List<String> stat) {
        for (String line : stat) {
            if (line.startsWith("cpu ")) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 5) {
                    break;
                }
                long[] v = new long[f.length - 1];
                for (int i = 1; i < f.length; i++) {
                    v[i - 1] = Long.parseLong(f[i]);
                }
                return v;
            }
        }
        throw new IllegalArgumentException("no 'cpu' total line with at least 4 fields in /proc/stat");
    }

    private static int processorLines(List<String> stat) {
        int n = 0;
        for (String line : stat) {
            if (line.startsWith("cpu") && line.length() > 3 && Character.isDigit(line.charAt(3))) {
                n++;
            }
        }
        return Math.max(1, n);
    }
}
