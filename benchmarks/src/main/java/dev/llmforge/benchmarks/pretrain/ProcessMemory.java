package dev.llmforge.benchmarks.pretrain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's resident memory from /proc/self/status (Linux); -1 where unavailable. */
final class ProcessMemory {
    private ProcessMemory() {
    }

    /** Peak resident set size (VmHWM) in MiB: the honest per-process memory figure. */
    static double peakRssMb() {
        return field("VmHWM:");
    }

    /** Current resident set size (VmRSS) in MiB. */
    static double rssMb() {
        return field("VmRSS:");
    }

    private static double field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    String kb = line.substring(name.length()).trim().split("\\s+")[0];
                    return Long.parseLong(kb) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
