package dev.llmforge.training.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmforge.io.AtomicFiles;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Appends one JSON object per step and per evaluation (every series by name) to a file, flushed line by line. */
public final class JsonLinesMetrics implements TrainingListener, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(JsonLinesMetrics.class);

    private final BufferedWriter out;

    public JsonLinesMetrics(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Override
    public void onStep(StepMetrics m) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "step");
        n.put("step", m.step());
        m.metrics().forEach(n::put);
        m.learningRates().forEach(n::put);
        m.gradNorms().forEach(n::put);
        n.put("tokens_per_s", m.tokensPerSecond());
        n.put("ms_per_step", m.millisPerStep());
        n.put("elapsed_s", m.elapsedSeconds());
        write(n);
    }

    @Override
    public void onEval(EvalMetrics m) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "eval");
        n.put("step", m.step());
        m.values().forEach(n::put);
        write(n);
    }

    private void write(ObjectNode n) {
        try {
            out.write(JSON.writeValueAsString(n));
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write metrics", e);
        }
    }

    /**
     * Drops the lines of steps after {@code step} from an existing metrics file (atomically), so that a
     * run resumed from a checkpoint at {@code step} continues the file without the steps it will redo.
     * A last line cut short (the run was killed or the disk filled while writing it) is dropped with a
     * warning; any other unreadable line is an error naming it. A missing file is left missing.
     */
    public static void truncateAfter(Path file, long step) throws IOException {
        if (!Files.isRegularFile(file)) {
            return;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        int last = lines.size() - 1;
        while (last >= 0 && lines.get(last).isBlank()) {
            last--;
        }
        if (last >= 0 && !isJson(lines.get(last))) {
            LOG.warn(file + " line " + (last + 1) + " is cut short (the run was stopped while writing it): dropped");
            lines = lines.subList(0, last);
        }
        List<String> kept = new ArrayList<>();
        for (JsonNode n : parseAll(file, lines)) {
            if (n.path("step").asLong(Long.MAX_VALUE) <= step) {
                kept.add(n.toString() + "\n");
            }
        }
        AtomicFiles.write(file, String.join("", kept).getBytes(StandardCharsets.UTF_8));
    }

    /** Every record of a metrics file, in order (blank lines skipped); a line that is not JSON is an error naming it. */
    public static List<JsonNode> read(Path file) throws IOException {
        return parseAll(file, Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    private static List<JsonNode> parseAll(Path file, List<String> lines) throws IOException {
        List<JsonNode> records = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            try {
                records.add(JSON.readTree(lines.get(i)));
            } catch (IOException e) {
                throw new IOException(file + " line " + (i + 1) + ": not a JSON object: " + e.getMessage(), e);
            }
        }
        return records;
    }

    private static boolean isJson(String line) {
        try {
            JSON.readTree(line);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
    @Override
    public void close() throws IOException {
        out.close();
    }
}
