package dev.llmforge.training.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Draws train and validation loss against the step into a PNG (rewritten atomically at each evaluation). */
public final class LossCurveChart implements TrainingListener {
    private final Path file;
    private final XYSeries train = new XYSeries("train loss (per step)");
    private final XYSeries trainEval = new XYSeries("train loss (eval)");
    private final XYSeries val = new XYSeries("val loss (eval)");

    public LossCurveChart(Path file) {
        this.file = file;
    }

    /**
     * Adds the points of an existing metrics file written by {@link JsonLinesMetrics} (a resumed run
     * continues the curve of the run it resumes). A missing file adds nothing.
     */
    public void load(Path metricsFile) throws IOException {
        if (!Files.isRegularFile(metricsFile)) {
            return;
        }
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(metricsFile, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = json.readTree(line);
            long step = n.path("step").asLong();
            if ("step".equals(n.path("type").asText()) && n.path("loss").isNumber()) {
                train.add(step, n.get("loss").asDouble());
            } else if ("eval".equals(n.path("type").asText())) {
                trainEval.add(step, n.path("train_loss").asDouble());
                val.add(step, n.path("val_loss").asDouble());
            }
        }
    }

    @Override
    public void onStep(StepMetrics m) {
        if (Double.isFinite(m.loss())) {
            train.add(m.step(), m.loss());
        }
    }

    @Override
    public void onEval(EvalMetrics m) {
        trainEval.add(m.step(), m.trainLoss());
        val.add(m.step(), m.valLoss());
        write();
    }

    @Override
    public void onFinish(long step) {
        write();
    }

    /** Noisy per-step losses thin and light; the evaluations bold with markers; the loss axis fitted to the data. */
    private static void style(XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        renderer.setSeriesPaint(0, new Color(120, 150, 220, 110));
        renderer.setSeriesStroke(0, new BasicStroke(1f));
        renderer.setSeriesPaint(1, new Color(30, 60, 170));
        renderer.setSeriesPaint(2, new Color(220, 90, 20));
        for (int series = 1; series <= 2; series++) {
            renderer.setSeriesStroke(series, new BasicStroke(2.5f));
            renderer.setSeriesShapesVisible(series, true);
        }
        plot.setRenderer(renderer);
    }

    /** Renders the chart now. */
    public void write() {
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(train);
        data.addSeries(trainEval);
        data.addSeries(val);
        JFreeChart chart = ChartFactory.createXYLineChart("Loss", "step", "cross-entropy loss", data,
                PlotOrientation.VERTICAL, true, false, false);
        style(chart.getXYPlot());
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            try {
                ChartUtils.saveChartAsPNG(tmp.toFile(), chart, 900, 500);
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write loss chart " + file, e);
        }
    }
}
