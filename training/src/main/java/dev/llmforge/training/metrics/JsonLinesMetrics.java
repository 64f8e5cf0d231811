package dev.llmforge.training.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** Appends one JSON object per step and per evaluation (every series by name) to a file, flushed line by line. */
public final class JsonLinesMetrics implements TrainingListener, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

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
     * A missing file is left missing; an unreadable line is an error naming it.
     */
    public static void truncateAfter(Path file, long step) throws IOException {
        if (!Files.isRegularFile(file)) {
            return;
        }
        List<String> kept = new ArrayList<>();
        for (JsonNode n : read(file)) {
            if (n.path("step").asLong(Long.MAX_VALUE) <= step) {
                kept.add(n.toString());
            }
        }
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
        try {
            Files.write(tmp, kept, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Every record of a metrics file, in order (blank lines skipped); a line that is not JSON is an error naming it. */
    public static List<JsonNode> read(Path file) throws IOException {
        List<JsonNode> records = new ArrayList<>();
        int lineNumber = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            try {
                records.add(JSON.readTree(line));
            } catch (IOException e) {
                throw new IOException(file + " line " + lineNumber + ": not a JSON object: " + e.getMessage(), e);
            }
        }
        return records;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
