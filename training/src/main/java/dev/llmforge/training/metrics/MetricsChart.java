package dev.llmforge.training.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmforge.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Draws chosen series against the step into a PNG, rewritten atomically at each evaluation and at
 * the end: per-step series thin and light, evaluation series bold with markers. A run can keep
 * several charts (the loss in {@code loss.png}, PPO's score and KL in another).
 */
public final class MetricsChart implements TrainingListener {
    private static final Color[] COLORS = {new Color(30, 60, 170), new Color(220, 90, 20), new Color(20, 140, 60),
        new Color(150, 40, 160), new Color(120, 120, 120)};

    /** Where a series comes from: the step lines or the evaluation lines of the metrics. */
    public enum Kind { STEP, EVAL }

    /** One line of a chart: a metric of the step or evaluation records. */
    public record Series(Kind kind, String metric) {
        public Series {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(metric, "metric");
        }

        public static Series step(String metric) {
            return new Series(Kind.STEP, metric);
        }

        public static Series eval(String metric) {
            return new Series(Kind.EVAL, metric);
        }

        String label() {
            return metric.replace('_', ' ') + (kind == Kind.STEP ? " (per step)" : " (eval)");
        }
    }

    /**
     * What a chart shows.
     *
     * @param fileName  the PNG's name in the run's output directory
     * @param title     the chart's title
     * @param valueAxis the label of the vertical axis
     * @param series    the lines, in legend order
     */
    public record Spec(String fileName, String title, String valueAxis, List<Series> series) {
        public Spec {
            if (series.isEmpty()) {
                throw new IllegalArgumentException("chart " + fileName + " needs at least one series");
            }
            series = List.copyOf(series);
        }

        /** The training loss per step and {@code SOURCE_loss} of each evaluation source, in {@code loss.png}. */
        public static Spec loss(List<String> evalSources) {
            List<Series> series = new ArrayList<>();
            series.add(Series.step(MetricNames.LOSS));
            evalSources.forEach(s -> series.add(Series.eval(MetricNames.evaluation(s, MetricNames.LOSS))));
            return new Spec("loss.png", "Loss", "loss", series);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(MetricsChart.class);

    private final Path file;
    private final Spec spec;
    private final List<XYSeries> lines = new ArrayList<>();
    private boolean failed;

    public MetricsChart(Path file, Spec spec) {
        this.file = file;
        this.spec = spec;
        spec.series().forEach(s -> lines.add(new XYSeries(s.label())));
    }

    /**
     * Adds the points of an existing metrics file written by {@link JsonLinesMetrics} (a resumed run
     * continues the curves of the run it resumes). A missing file adds nothing.
     */
    public void load(Path metricsFile) throws IOException {
        if (!Files.isRegularFile(metricsFile)) {
            return;
        }
        for (JsonNode n : JsonLinesMetrics.read(metricsFile)) {
            Kind kind = "step".equals(n.path("type").asText()) ? Kind.STEP : "eval".equals(n.path("type").asText()) ? Kind.EVAL : null;
            long step = n.path("step").asLong();
            for (int i = 0; i < lines.size(); i++) {
                Series s = spec.series().get(i);
                JsonNode v = n.path(s.metric());
                if (s.kind() == kind && v.isNumber() && Double.isFinite(v.asDouble())) {
                    lines.get(i).add(step, v.asDouble());
                }
            }
        }
    }

    @Override
    public void onStep(StepMetrics m) {
        add(Kind.STEP, m.step(), m.series());
    }

    @Override
    public void onEval(EvalMetrics m) {
        add(Kind.EVAL, m.step(), m.values());
        writeOrWarn();
    }

    private void add(Kind kind, long step, Map<String, Double> values) {
        for (int i = 0; i < lines.size(); i++) {
            Series s = spec.series().get(i);
            Double v = values.get(s.metric());
            if (s.kind() == kind && v != null && Double.isFinite(v)) {
                lines.get(i).add(step, v);
            }
        }
    }

    /** Points drawn so far for the chart's series of {@code metric}. */
    int points(Kind kind, String metric) {
        int i = spec.series().indexOf(new Series(kind, metric));
        return i < 0 ? 0 : lines.get(i).getItemCount();
    }

    @Override
    public void onFinish(long step) {
        writeOrWarn();
    }

    /** Per-step series thin and light; evaluations bold with markers; the value axis fitted to the data. */
    private void style(XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < lines.size(); i++) {
            Color c = COLORS[i % COLORS.length];
            if (spec.series().get(i).kind() == Kind.STEP) {
                renderer.setSeriesPaint(i, new Color(c.getRed(), c.getGreen(), c.getBlue(), 90));
                renderer.setSeriesStroke(i, new BasicStroke(1f));
            } else {
                renderer.setSeriesPaint(i, c);
                renderer.setSeriesStroke(i, new BasicStroke(2.5f));
                renderer.setSeriesShapesVisible(i, true);
            }
        }
        plot.setRenderer(renderer);
    }

    /** Renders the chart now. */
    public void write() {
        XYSeriesCollection data = new XYSeriesCollection();
        lines.forEach(data::addSeries);
        JFreeChart chart = ChartFactory.createXYLineChart(spec.title(), "step", spec.valueAxis(), data, PlotOrientation.VERTICAL, true, false,
                false);
        style(chart.getXYPlot());
        try {
            AtomicFiles.write(file, ch -> ChartUtils.writeChartAsPNG(Channels.newOutputStream(ch), chart, 900, 500));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write chart " + file, e);
        }
    }

    /**
     * Renders the chart during a run: a chart that cannot be drawn (a headless JRE without fonts, a
     * full disk) is a warning, never the end of the run or of its checkpoints.
     */
    private void writeOrWarn() {
        if (failed) {
            return;
        }
        try {
            write();
        } catch (RuntimeException | LinkageError | java.awt.AWTError | InternalError e) {
            failed = true;
            LOG.warn("cannot draw the chart " + file + " (" + e + "); the run goes on without it");
        }
    }
}
