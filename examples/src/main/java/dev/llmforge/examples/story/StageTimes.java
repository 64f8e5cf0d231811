package dev.llmforge.examples.story;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmforge.io.AtomicFiles;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Each stage's wall time and the CPU time the process spent in it (every thread, the engine's native ones included),
 * kept in {@code timings.json} as {@code {"base": {"wall_seconds": 62.1, "cpu_seconds": 60.4}, ...}} so that a rerun
 * that reuses a stage still reports its times. On a machine other processes load, the CPU time is close to the wall
 * time the stage would take alone with one engine thread.
 */
final class StageTimes {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WALL = "wall_seconds";
    private static final String CPU = "cpu_seconds";

    /** One stage's times. */
    record Time(double wallSeconds, double cpuSeconds) {
    }

    /** A running measurement; {@link #stop} gives its time. */
    record Watch(long wallNanos, long cpuNanos) {
        static Watch start() {
            return new Watch(System.nanoTime(), processCpuNanos());
        }

        Time stop() {
            return new Time((System.nanoTime() - wallNanos) / 1e9, (processCpuNanos() - cpuNanos) / 1e9);
        }
    }

    private final Path file;
    private final Map<String, Time> times = new LinkedHashMap<>();

    /** The times kept in {@code file}, if it exists. */
    StageTimes(Path file) throws IOException {
        this.file = file;
        if (Files.isRegularFile(file)) {
            JsonNode json = JSON.readTree(file.toFile());
            for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) json::fields) {
                JsonNode wall = e.getValue().get(WALL);
                JsonNode cpu = e.getValue().get(CPU);
                if (wall == null || !wall.isNumber() || cpu == null || !cpu.isNumber()) {
                    throw new IOException(file + ": \"" + e.getKey() + "\" should be {\"" + WALL + "\": seconds, \"" + CPU + "\": seconds}, found "
                            + e.getValue() + " (delete the file to start the times afresh)");
                }
                times.put(e.getKey(), new Time(wall.asDouble(), cpu.asDouble()));
            }
        }
    }

    /** Records {@code stage}'s time and rewrites the file. */
    void put(String stage, Time time) throws IOException {
        times.put(stage, time);
        ObjectNode json = JSON.createObjectNode();
        times.forEach((name, t) -> json.putObject(name).put(WALL, t.wallSeconds()).put(CPU, t.cpuSeconds()));
        AtomicFiles.write(file, json.toPrettyString().getBytes(StandardCharsets.UTF_8));
    }

    Map<String, Time> all() {
        return times;
    }

    /** The stage's time, or null when it has none. */
    Time of(String stage) {
        return times.get(stage);
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
