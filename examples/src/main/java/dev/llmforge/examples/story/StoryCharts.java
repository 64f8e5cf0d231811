package dev.llmforge.examples.story;

import dev.llmforge.alignment.eval.PromptStyle;
import dev.llmforge.io.AtomicFiles;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.metrics.MetricsChart;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The report's charts: accuracy against the number of voted paths, and each alignment stage's curves from its metrics. */
final class StoryCharts {
    static final String ACCURACY_VS_K = "self-consistency.png";
    private static final Color[] SERIES_COLORS = {new Color(30, 60, 170), new Color(220, 90, 20)};

    /** Each stage's curves: file name, title and the step metrics drawn (names as the objectives log them). */
    static final List<MetricsChart.Spec> CURVES = List.of(
            new MetricsChart.Spec("reward-curves.png", "Reward model", "value",
                    List.of(MetricsChart.Series.step("accuracy"), MetricsChart.Series.eval("val_accuracy"))),
            new MetricsChart.Spec("ppo-curves.png", "PPO: reward-model score and KL to SFT", "value",
                    List.of(MetricsChart.Series.step("score"), MetricsChart.Series.step("kl_k1"), MetricsChart.Series.eval("val_score"))),
            new MetricsChart.Spec("dpo-curves.png", "DPO: implicit reward margin and preference accuracy", "value",
                    List.of(MetricsChart.Series.step("margin"), MetricsChart.Series.step("accuracy"), MetricsChart.Series.eval("val_accuracy"))),
            new MetricsChart.Spec("grpo-curves.png", "GRPO: exact-answer reward and KL to SFT", "value",
                    List.of(MetricsChart.Series.step("reward"), MetricsChart.Series.step("kl"), MetricsChart.Series.eval("val_reward"))));

    private StoryCharts() {
    }

    /** The stage whose metrics a curve chart draws: the file name's first word. */
    static String stageOf(MetricsChart.Spec spec) {
        return spec.fileName().substring(0, spec.fileName().indexOf('-'));
    }

    /** Draws {@code spec} from the stage's {@code metrics.jsonl} into the report's directory. */
    static void curves(StoryLayout layout, MetricsChart.Spec spec) throws IOException {
        MetricsChart chart = new MetricsChart(layout.root().resolve(spec.fileName()), spec);
        chart.load(layout.stage(stageOf(spec)).resolve(Trainer.METRICS_FILE));
        chart.write();
    }

    /** Chain-of-thought accuracy (%) against K, one line per model, with greedy chain of thought drawn at K = 1 as its own point. */
    static void accuracyVsK(Path file, List<PromptStudy.Row> rows) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (String stage : rows.stream().map(PromptStudy.Row::stage).distinct().toList()) {
            XYSeries voted = new XYSeries(stage + ": self-consistency");
            XYSeries greedy = new XYSeries(stage + ": greedy chain of thought");
            for (PromptStudy.Row r : rows) {
                if (!r.stage().equals(stage) || r.style() != PromptStyle.COT) {
                    continue;
                }
                if (r.samples() == 0) {
                    greedy.add(1, 100 * r.summary().accuracy());
                } else {
                    voted.add(r.samples(), 100 * r.summary().accuracy());
                }
            }
            data.addSeries(voted);
            data.addSeries(greedy);
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Age problems: accuracy against sampled paths K", "K (paths voted on)", "accuracy (%)",
                data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        double highest = rows.stream().mapToDouble(r -> 100 * r.summary().accuracy()).max().orElse(0);
        plot.getRangeAxis().setRange(0, Math.min(100, Math.max(10, Math.ceil(highest / 10 + 1) * 10))); // percent, from 0
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer renderer = (XYLineAndShapeRenderer) plot.getRenderer();
        renderer.setDefaultShapesVisible(true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesPaint(i, SERIES_COLORS[i / 2 % SERIES_COLORS.length]); // a model's two series share its colour
            renderer.setSeriesStroke(i, new BasicStroke(i % 2 == 0 ? 2.5f : 1f));
        }
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
        try {
            ChartUtils.saveChartAsPNG(tmp.toFile(), chart, 900, 500);
            AtomicFiles.move(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
