package dev.llmforge.training.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
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

    /** Renders the chart now. */
    public void write() {
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(train);
        data.addSeries(trainEval);
        data.addSeries(val);
        JFreeChart chart = ChartFactory.createXYLineChart("Loss", "step", "cross-entropy loss", data,
                PlotOrientation.VERTICAL, true, false, false);
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
