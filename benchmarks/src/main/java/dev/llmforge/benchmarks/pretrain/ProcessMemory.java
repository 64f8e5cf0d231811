package dev.llmforge.benchmarks.pretrain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's memory figures from /proc/self (Linux); -1 where unavailable: resident memory, and
 * the minor page faults and kernel CPU time that show memory given back and faulted in again —
 * figures that, unlike step times, do not depend on what else the machine runs.
 */
public final class ProcessMemory {
    /** Fields of /proc/self/stat, counted from 1 as proc(5) does. */
    private static final int MINOR_FAULTS = 10;
    private static final int SYSTEM_TICKS = 15;
    /** The kernel's USER_HZ, 100 on every Linux this runs on. */
    private static final double MILLIS_PER_TICK = 10;

    private ProcessMemory() {
    }

    /** Peak resident set size (VmHWM) in MiB: the honest per-process memory figure. */
    static double peakRssMb() {
        return statusField("VmHWM:");
    }

    /** Current resident set size (VmRSS) in MiB. */
    static double rssMb() {
        return statusField("VmRSS:");
    }

    /**
     * Current resident set size (VmRSS) in KiB, as the kernel counts it.
     *
     * @throws IOException if /proc/self/status cannot be read or has no VmRSS line
     */
    public static long rssKb() throws IOException {
        return statusKb("VmRSS:");
    }

    /** Minor page faults so far (pages the process touched that the kernel had to map, zeroed or from its page cache). */
    static long minorFaults() {
        return statField(MINOR_FAULTS);
    }

    /** CPU time spent in the kernel on this process's behalf so far, in ms (10 ms resolution). */
    static double systemCpuMillis() {
        long ticks = statField(SYSTEM_TICKS);
        return ticks < 0 ? -1 : ticks * MILLIS_PER_TICK;
    }

    private static double statusField(String name) {
        try {
            return statusKb(name) / 1024.0;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The KiB figure of the /proc/self/status line starting with {@code name} (e.g. {@code "VmRSS:"}). */
    private static long statusKb(String name) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(name)) {
                return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IOException("no " + name + " line in /proc/self/status");
    }

    private static long statField(int field) {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // the command name (field 2) is in parentheses and may hold spaces: count from after it
            String[] rest = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            return Long.parseLong(rest[field - 3]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
