package dev.llmforge.examples.story;

import dev.llmforge.alignment.eval.EvalSummary;
import dev.llmforge.model.Gpt;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.training.metrics.MetricsChart;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The whole story in one call: the world, the base model, SFT, the labeler's preferences, the reward model, PPO,
 * DPO and GRPO (each a {@link Stage}, reused when its output is complete), then every model evaluated on the same
 * held-out questions, the prompt-engineering study on the base and SFT models, and {@code report.md} with its
 * charts. Stage wall and CPU times are kept in {@code timings.json} ({@link StageTimes}), so a rerun that reuses a
 * stage still reports its times.
 */
public final class Story {
    static final List<Stage> STAGES = List.of(new WorldStage(), new BaseStage(), new SftStage(), new PreferenceStage(), new RewardStage(),
            new PpoStage(), new DpoStage(), new GrpoStage());
    /** The models compared in the report, in order: the base first, SFT second. */
    static final List<String> MODELS = List.of(BaseStage.NAME, SftStage.NAME, PpoStage.NAME, DpoStage.NAME, GrpoStage.NAME);
    /** The evaluation's row among the wall times: it has no directory, it writes the report. */
    static final String EVALUATION = "evaluation";

    private Story() {
    }

    /** Runs every stage not yet done, evaluates every model and writes the report; {@code command} is quoted in it. */
    public static void run(StoryRun run, String command) throws Exception {
        Files.createDirectories(run.layout().root());
        StageTimes times = new StageTimes(run.layout().timings());
        for (Stage stage : STAGES) {
            if (stage.done(run)) {
                run.note("== " + stage.name() + ": reusing " + run.layout().root().resolve(stage.name()) + " (complete; delete it to redo)");
                continue;
            }
            run.note("== " + stage.name());
            StageTimes.Watch watch = StageTimes.Watch.start();
            stage.run(run);
            times.put(stage.name(), watch.stop());
        }
        StageTimes.Watch watch = StageTimes.Watch.start();
        Questions questions = Questions.of(run);
        List<ModelFigures> models = new ArrayList<>();
        Map<String, List<String>> sideBySide = new LinkedHashMap<>();
        List<PromptStudy.Row> study = new ArrayList<>();
        EvalSummary recall = null;
        run.note("== evaluation");
        try (Gpt sft = run.load(SftStage.NAME)) {
            ModelFigures sftFigures = null;
            for (String stage : MODELS) {
                Tokenizer tokenizer = run.tokenizer(stage);
                try (Gpt model = run.load(stage)) {
                    boolean fromSft = !stage.equals(BaseStage.NAME) && !stage.equals(SftStage.NAME);
                    ModelFigures figures = ModelFigures.measure(run, questions, stage, model, tokenizer, fromSft ? sftFigures : null, fromSft ? sft : null);
                    if (stage.equals(SftStage.NAME)) {
                        sftFigures = figures;
                    }
                    models.add(figures);
                    sideBySide.put(stage, SideBySide.answers(run, questions, stage, model, tokenizer));
                    run.note(stage + ": " + String.join("; ", figures.all().describe().subList(0, 2)));
                    if (stage.equals(BaseStage.NAME)) {
                        recall = questions.recallOf(run, model, tokenizer);
                    }
                    if (stage.equals(BaseStage.NAME) || stage.equals(SftStage.NAME)) {
                        study.addAll(PromptStudy.run(run, questions, stage, model, tokenizer));
                    }
                }
            }
        }
        times.put(EVALUATION, watch.stop());
        StoryCharts.accuracyVsK(run.layout().root().resolve(StoryCharts.ACCURACY_VS_K), study);
        for (MetricsChart.Spec spec : StoryCharts.CURVES) {
            StoryCharts.curves(run.layout(), spec);
        }
        new StoryReport(run).write(command, times, recall, sideBySide, models, study);
        run.note(String.format(Locale.ROOT, "report: %s", run.layout().report()));
    }
}
