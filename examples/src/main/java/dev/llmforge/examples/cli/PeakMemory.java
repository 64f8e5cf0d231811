package dev.llmforge.examples.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The process's peak resident set size (Linux {@code VmHWM}), for run summaries. */
final class PeakMemory {
    private PeakMemory() {
    }

    /** E.g. {@code "812 MB"}, or {@code "unknown"} where /proc is not available. */
    static String describe() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return String.format(Locale.ROOT, "%,d MB", kb / 1024);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return "unknown";
    }
}
