package dev.llmforge.benchmarks.pretrain;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One measured run in its own process — a {@link PretrainRun} JVM or nanoGPT's Python script — that
 * prints its figures as one line {@code RESULT<TAB>key=value<TAB>...}. A run that fails (non-zero
 * exit, no result line) comes back as {@code {"error": why}}, with the exception or last line it
 * printed, so that the report can name the failure instead of leaving the side out silently.
 */
final class ChildRun {
    private ChildRun() {
    }

    /** A {@link PretrainRun} in a new JVM with this JVM's class path. */
    static List<String> pretrainRun(List<String> jvmArgs, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), PretrainRun.class.getName()));
        cmd.addAll(args);
        return cmd;
    }

    /** Runs {@code command}; lines starting with "step " go to {@code progress}; returns the RESULT fields or {"error": why}. */
    static Map<String, String> run(List<String> command, Consumer<String> progress) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return Map.of("error", "cannot start " + command.get(0) + ": " + e.getMessage());
        }
        Map<String, String> result = null;
        Deque<String> tail = new ArrayDeque<>();
        String failure = null; // the first exception line (and its causes)
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("RESULT\t")) {
                    result = new LinkedHashMap<>();
                    for (String field : line.substring(7).split("\t")) {
                        int eq = field.indexOf('=');
                        result.put(field.substring(0, eq), field.substring(eq + 1));
                    }
                } else if (line.startsWith("step ")) {
                    progress.accept(line);
                } else {
                    if (line.startsWith("Exception in thread") || line.startsWith("Traceback") || line.matches("^\\w*(Error|Exception): .*")
                            || (failure != null && line.startsWith("Caused by"))) {
                        failure = failure == null ? line : failure + " / " + line;
                    }
                    tail.addLast(line);
                    if (tail.size() > 8) {
                        tail.removeFirst();
                    }
                }
            }
        }
        int exit = p.waitFor();
        if (exit != 0 || result == null) {
            String why = failure != null ? failure : tail.stream().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("no output");
            return Map.of("error", "exit code " + exit + ": " + why);
        }
        return result;
    }

    /** A numeric field, NaN if absent. */
    static double num(Map<String, String> r, String key) {
        String v = r.get(key);
        return v == null ? Double.NaN : Double.parseDouble(v);
    }
}
