package dev.llmforge.training.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsListenersTest {
    @TempDir
    Path dir;

    static StepMetrics step(long step, long total, double loss, double lr, double gradNorm, double tokensPerSecond, double millis,
                            double elapsed) {
        return new StepMetrics(step, total, Map.of("loss", loss), Map.of("lr", lr), Double.isNaN(gradNorm) ? Map.of() : Map.of("grad_norm", gradNorm),
                tokensPerSecond, millis, elapsed);
    }

    static EvalMetrics eval(long step, double trainLoss, double valLoss) {
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("train_loss", trainLoss);
        values.put("val_loss", valLoss);
        return new EvalMetrics(step, values);
    }

    @Test
    void jsonLinesHoldOneObjectPerEvent() throws Exception {
        Path file = dir.resolve("metrics.jsonl");
        try (JsonLinesMetrics m = new JsonLinesMetrics(file)) {
            m.onStep(step(1, 10, 4.2, 1e-3, 0.5, 1000, 40, 0.04));
            m.onEval(eval(1, 4.1, 4.3));
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size());
        JsonNode step = new ObjectMapper().readTree(lines.get(0));
        assertEquals("step", step.get("type").asText());
        assertEquals(4.2, step.get("loss").asDouble());
        assertEquals(4.3, new ObjectMapper().readTree(lines.get(1)).get("val_loss").asDouble());
    }

    @Test
    void aResumedRunDropsTheStepsAfterItsCheckpointAndContinuesTheChart() throws Exception {
        Path file = dir.resolve("metrics.jsonl");
        try (JsonLinesMetrics m = new JsonLinesMetrics(file)) {
            for (int s = 1; s <= 6; s++) {
                m.onStep(step(s, 10, 4.0 - s * 0.1, 1e-3, 0.5, 1000, 40, s * 0.04));
            }
            m.onEval(eval(4, 3.5, 3.6));
        }
        JsonLinesMetrics.truncateAfter(file, 4); // the checkpoint was at step 4; steps 5 and 6 will be redone
        List<String> lines = Files.readAllLines(file);
        assertEquals(5, lines.size(), String.join("\n", lines));
        assertEquals(4, new ObjectMapper().readTree(lines.get(3)).get("step").asInt());
        assertEquals("eval", new ObjectMapper().readTree(lines.get(4)).get("type").asText());

        Path png = dir.resolve("loss.png");
        MetricsChart chart = new MetricsChart(png, MetricsChart.Spec.loss(List.of("train", "val")));
        chart.load(file);
        chart.onEval(eval(8, 3.0, 3.2));
        assertEquals(900, ImageIO.read(png.toFile()).getWidth());
        JsonLinesMetrics.truncateAfter(dir.resolve("missing.jsonl"), 3);
        assertTrue(Files.notExists(dir.resolve("missing.jsonl")));
    }

    @Test
    void chartIsARealPng() throws Exception {
        Path png = dir.resolve("loss.png");
        MetricsChart chart = new MetricsChart(png, MetricsChart.Spec.loss(List.of("train", "val")));
        for (int s = 1; s <= 20; s++) {
            chart.onStep(step(s, 20, 4.0 / s, 1e-3, Double.NaN, 1, 1, 1));
        }
        chart.onEval(eval(20, 0.3, 0.4));
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(900, img.getWidth());
        assertEquals(500, img.getHeight());
    }

    @Test
    void consolePrintsEveryNthStepWithEta() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConsoleProgress p = new ConsoleProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), 5);
        for (int s = 1; s <= 10; s++) {
            p.onStep(step(s, 100, 2.0, 1e-3, Double.NaN, 12000, 60, s * 0.06));
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(2, out.lines().count(), out);
        assertTrue(out.contains("step 5/100") && out.contains("ETA 6s"), out);
        assertTrue(out.contains("step 10/100") && out.contains("ETA 5s"), out);
    }

    @Test
    void anyNamedSeriesReachesTheFileTheConsoleAndAChart() throws Exception {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("loss", 0.7);
        metrics.put("score", 1.25);
        metrics.put("kl", 2e-5);
        Map<String, Double> lrs = new LinkedHashMap<>();
        lrs.put("lr", 1e-5);
        lrs.put("lr_value", 3e-5);
        Map<String, Double> norms = new LinkedHashMap<>();
        norms.put("grad_norm", 0.5);
        norms.put("grad_norm_value", 2.0);
        StepMetrics step = new StepMetrics(4, 8, metrics, lrs, norms, 100, 10, 1);
        EvalMetrics eval = new EvalMetrics(4, Map.of("val_score", 1.5));

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConsoleProgress console = new ConsoleProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), 4);
        console.onStep(step);
        console.onEval(eval);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.startsWith("step 4/8 | loss 0.7000 | score 1.2500 | kl 2.000e-05 | lr 1.00e-05 |"), out);
        assertTrue(out.contains("eval at step 4: val score 1.5000"), out);

        Path file = dir.resolve("metrics.jsonl");
        try (JsonLinesMetrics m = new JsonLinesMetrics(file)) {
            m.onStep(step);
            m.onEval(eval);
        }
        JsonNode line = new ObjectMapper().readTree(Files.readAllLines(file).get(0));
        assertEquals(List.of("type", "step", "loss", "score", "kl", "lr", "lr_value", "grad_norm", "grad_norm_value", "tokens_per_s", "ms_per_step",
                "elapsed_s"), iterableToList(line.fieldNames()));

        MetricsChart.Spec spec = new MetricsChart.Spec("reward.png", "Reward", "score",
                List.of(MetricsChart.Series.step("score"), MetricsChart.Series.step("lr_value"), MetricsChart.Series.eval("val_score"),
                        MetricsChart.Series.eval("val_missing")));
        MetricsChart chart = new MetricsChart(dir.resolve("reward.png"), spec);
        chart.load(file);
        assertEquals(1, chart.points(MetricsChart.Kind.STEP, "score"));
        assertEquals(1, chart.points(MetricsChart.Kind.STEP, "lr_value"));
        assertEquals(1, chart.points(MetricsChart.Kind.EVAL, "val_score"));
        assertEquals(0, chart.points(MetricsChart.Kind.EVAL, "val_missing"));
        chart.onStep(new StepMetrics(5, 8, Map.of("loss", 0.6, "score", 1.3), lrs, Map.of(), 100, 10, 2));
        chart.onEval(new EvalMetrics(5, Map.of("val_score", 1.6)));
        assertEquals(2, chart.points(MetricsChart.Kind.STEP, "score"));
        assertEquals(900, ImageIO.read(dir.resolve("reward.png").toFile()).getWidth());
    }

    private static List<String> iterableToList(Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
