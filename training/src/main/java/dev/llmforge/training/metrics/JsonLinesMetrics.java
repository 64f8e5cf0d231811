package dev.llmforge.training.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Appends one JSON object per step and per evaluation to a file, flushed line by line. */
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
        n.put("loss", m.loss());
        n.put("lr", m.learningRate());
        if (!Double.isNaN(m.gradNorm())) {
            n.put("grad_norm", m.gradNorm());
        }
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
        n.put("train_loss", m.trainLoss());
        n.put("val_loss", m.valLoss());
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

    @Override
    public void close() throws IOException {
        out.close();
    }
}
