package dev.llmforge.examples.story;

import dev.llmforge.alignment.eval.EvalSummary;
import dev.llmforge.alignment.eval.Evaluator;
import dev.llmforge.alignment.eval.PromptStyle;
import dev.llmforge.alignment.eval.WilsonInterval;
import dev.llmforge.examples.story.world.StoryWorld;
import dev.llmforge.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes {@code report.md}: the run's settings, each stage's wall time, the seed's prompts side by side, the
 * held-out figures of every model, the prompt-engineering study and the alignment methods, every proportion with
 * its 95% Wilson interval, and the charts.
 */
final class StoryReport {
    /** The report's sections, in order (the CI test checks each is present). */
    static final List<String> SECTIONS = List.of("## Stages", "## 1. Base vs SFT vs RLHF, same prompts", "## 2. Prompt engineering",
            "## 3. Alignment methods", "## What this run shows");

    private final StringBuilder md = new StringBuilder();
    private final StoryRun run;

    StoryReport(StoryRun run) {
        this.run = run;
    }

    void write(String command, StageTimes times, EvalSummary recall, Map<String, List<String>> sideBySide, List<ModelFigures> models,
               List<PromptStudy.Row> study) throws IOException {
        StoryPlan plan = run.plan();
        Evaluator.Sampling greedy = Evaluator.Sampling.greedy(plan.maxNewTokens());
        line("# The story: base model → SFT → RLHF, and prompting");
        line("");
        line("Plan `" + plan.name() + "`, seed " + run.seed() + ", backend " + run.backend().name() + ". Command: `" + command + "`.");
        line(String.format(Locale.ROOT, "Model: %d layers, %d heads, width %d, context %d, tokenizer %s. Questions per kind: %d held out; "
                + "responses at most %d tokens; greedy unless stated.", plan.model().nLayer(), plan.model().nHead(), plan.model().nEmbd(),
                plan.model().blockSize(), plan.tokenizer(), plan.evalQuestions(), plan.maxNewTokens()));
        line("Every proportion is `successes/trials = p% (95% Wilson interval)`. What each figure means: docs/story.md in the llmforge repository.");
        line("Every figure comes from the command above (seed " + run.seed() + "); each greedy or sampled accuracy is also reproduced alone "
                + "by the `llmforge eval` command given with it, which reads the questions this run asked from `" + run.layout().root().resolve(
                StoryLayout.QUESTIONS) + "/`. Win rates and KL have no command of their own: they compare two models' answers within the run.");
        line("");
        line(SECTIONS.get(0));
        line("");
        line("Wall time, and the CPU time the process spent (every thread): on a machine other processes load, the CPU time is "
                + "about what the stage takes alone on one engine thread.");
        line("");
        line("| stage | directory | wall time (s) | CPU time (s) |");
        line("|---|---|---|---|");
        double wall = 0;
        double cpu = 0;
        for (Map.Entry<String, StageTimes.Time> e : times.all().entrySet()) {
            line(String.format(Locale.ROOT, "| %s | %s | %.1f | %.1f |", e.getKey(), e.getKey().equals(Story.EVALUATION) ? "(this report)"
                    : "`" + e.getKey() + "/`", e.getValue().wallSeconds(), e.getValue().cpuSeconds()));
            wall += e.getValue().wallSeconds();
            cpu += e.getValue().cpuSeconds();
        }
        line(String.format(Locale.ROOT, "| total | | %.1f | %.1f |", wall, cpu));
        line("");
        line(SECTIONS.get(1));
        line("");
        line("The seed's prompts, greedy answers (asked as below; line breaks shown as ⏎):");
        line("");
        line("| model | " + String.join(" | ", SideBySide.SEED_PROMPTS.stream().map(r -> r.question()).toList()) + " |");
        line("|---|---|---|---|");
        sideBySide.forEach((stage, answers) -> line("| " + stage + " | " + String.join(" | ", answers.stream().map(StoryReport::cell).toList()) + " |"));
        line("");
        line("Commands, one per row:");
        line("");
        for (String stage : sideBySide.keySet()) {
            line("- " + stage + ": " + command(EvalCommandLine.of(run, stage, run.layout().questionFile(Questions.SEED_PROMPTS),
                    Questions.greedyStyleOf(stage), greedy)));
        }
        line("");
        line("The base model's recall before SFT, \"The capital of X is\" continued greedily (document style): "
                + String.join("; ", recall.byKind().entrySet().stream().map(e -> e.getKey() + " countries " + accuracy(e.getValue())).toList()) + ". "
                + command(EvalCommandLine.of(run, BaseStage.NAME, run.layout().worldFile(StoryWorld.EVAL_RECALL), PromptStyle.COMPLETION,
                Evaluator.Sampling.greedy(Questions.RECALL_TOKENS))) + ".");
        line("");
        line("Held-out questions, greedy, each model asked the way it is used: the base model, a document completer, given the "
                + "question as written to continue (the prompt style `completion`; it stops at a blank line), the others zero-shot in "
                + "the Q&A template. "
                + "Answers = responses that answer rather than continue the document (facts and ages together). Win rate = the labeler's "
                + "verdict against SFT's answer to the same question, (wins + ½ ties) / questions. KL = KL(model ‖ SFT) per sampled response, "
                + "nats, mean ± 95% interval.");
        line("");
        line("Facts (unseen countries): held-out countries no training step after pretraining asks about. Facts (RL countries): the "
                + "other held-out countries, about which PPO, DPO and GRPO trained (other phrasings of these questions among their prompts); "
                + "not counted in the answers, win rate or KL columns.");
        line("");
        line("| model | answers | facts (unseen countries) | facts (RL countries) | age problems | win rate vs SFT (W/T/L) | KL to SFT |");
        line("|---|---|---|---|---|---|---|");
        for (ModelFigures m : models) {
            line("| " + m.stage() + " | " + proportion(m.all().answered(), m.all().questions()) + " | " + accuracy(m.facts()) + " | "
                    + accuracy(m.rlFacts()) + " | " + accuracy(m.ages()) + " | " + winRate(m.winRate()) + " | " + kl(m.kl()) + " |");
        }
        line("");
        line("Commands: the unseen countries' facts column of each row (`" + Questions.RL_FACTS + "` for the RL countries' column, `"
                + Questions.AGES + "` for the age column; the answers column counts unseen facts and ages):");
        line("");
        for (ModelFigures m : models) {
            line("- " + m.stage() + ": " + command(EvalCommandLine.of(run, m.stage(), run.layout().questionFile(Questions.FACTS),
                    Questions.greedyStyleOf(m.stage()), greedy)));
        }
        line("");
        line(SECTIONS.get(2));
        line("");
        line(String.format(Locale.ROOT, "Held-out age problems (%d), base and SFT models. Few-shot styles show %d exemplar(s). Self-consistency: "
                + "K chain-of-thought paths sampled at temperature %.1f, top-k %d, seed %d, the most common final answer wins (ties: summed "
                + "log-probability).", run.plan().evalQuestions(), plan.shots(), StoryPlan.VOTE_TEMPERATURE, StoryPlan.VOTE_TOP_K, run.seed()));
        line("");
        line("| model | prompt | accuracy | answers |");
        line("|---|---|---|---|");
        for (PromptStudy.Row r : study) {
            line("| " + r.stage() + " | " + r.method() + " | " + accuracy(r.summary()) + " | " + proportion(r.summary().answered(),
                    r.summary().questions()) + " |");
        }
        line("");
        line("Commands:");
        line("");
        for (PromptStudy.Row r : study) {
            line("- " + r.stage() + ", " + r.method() + ": " + command(r.command(run)));
        }
        line("");
        line("![accuracy against K](" + StoryCharts.ACCURACY_VS_K + ")");
        line("");
        line(SECTIONS.get(3));
        line("");
        line("Figures from section 1 (its commands); wall time of the stage's training.");
        line("");
        line("| method | age problems | facts (unseen countries) | facts (RL countries) | win rate vs SFT | KL to SFT | wall time (s) |");
        line("|---|---|---|---|---|---|---|");
        for (ModelFigures m : models) {
            if (!m.stage().equals(BaseStage.NAME)) {
                line("| " + m.stage() + " | " + accuracy(m.ages()) + " | " + accuracy(m.facts()) + " | " + accuracy(m.rlFacts()) + " | "
                        + winRate(m.winRate()) + " | "
                        + kl(m.kl()) + " | " + String.format(Locale.ROOT, "%.1f", times.of(m.stage()).wallSeconds()) + " |");
            }
        }
        line("");
        StoryCharts.CURVES.forEach(spec -> line("![" + spec.title() + "](" + spec.fileName() + ")"));
        line("");
        line(SECTIONS.get(4));
        line("");
        findings(models, study);
        AtomicFiles.write(run.layout().report(), md.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Comparisons stated from the intervals: a difference counts only when the 95% intervals do not overlap. */
    private void findings(List<ModelFigures> models, List<PromptStudy.Row> study) {
        ModelFigures base = models.get(0);
        ModelFigures sft = models.get(1);
        line("- SFT vs base, answering rather than continuing: " + compare(sft.all().answered(), base.all().answered(), sft.all().questions()) + ".");
        for (ModelFigures m : models.subList(2, models.size())) {
            line("- " + m.stage() + " vs SFT, age problems: " + compare(m.ages().correct(), sft.ages().correct(), sft.ages().questions())
                    + "; facts, unseen countries: " + compare(m.facts().correct(), sft.facts().correct(), sft.facts().questions())
                    + "; facts, RL countries: " + compare(m.rlFacts().correct(), sft.rlFacts().correct(), sft.rlFacts().questions()) + ".");
        }
        for (String stage : List.of(BaseStage.NAME, SftStage.NAME)) {
            PromptStudy.Row greedy = study.stream().filter(r -> r.stage().equals(stage) && r.samples() == 0
                    && r.style() == PromptStyle.COT).findFirst().orElseThrow();
            PromptStudy.Row most = study.stream().filter(r -> r.stage().equals(stage) && r.samples() > 0).reduce((a, b) -> b).orElseThrow();
            line("- " + stage + ", self-consistency (" + most.method() + ") vs greedy chain of thought: "
                    + compare(most.summary().correct(), greedy.summary().correct(), greedy.summary().questions()) + ".");
        }
    }

    /** "higher (a vs b of n, intervals apart)", "lower ...", or "no difference the intervals can tell". */
    static String compare(int a, int b, int n) {
        WilsonInterval ia = WilsonInterval.of(a, n);
        WilsonInterval ib = WilsonInterval.of(b, n);
        String counts = a + " vs " + b + " of " + n;
        if (ia.low() > ib.high()) {
            return "higher (" + counts + ", the 95% intervals do not overlap)";
        }
        if (ia.high() < ib.low()) {
            return "lower (" + counts + ", the 95% intervals do not overlap)";
        }
        return "no difference the 95% intervals can tell (" + counts + ")";
    }

    private static String command(String text) {
        return "`" + text + "`";
    }

    private static String accuracy(EvalSummary s) {
        return proportion(s.correct(), s.questions());
    }

    static String proportion(int successes, int trials) {
        WilsonInterval ci = WilsonInterval.of(successes, trials);
        return String.format(Locale.ROOT, "%d/%d = %.1f%% (%.1f–%.1f%%)", successes, trials, 100.0 * successes / trials, 100 * ci.low(),
                100 * ci.high());
    }

    private static String winRate(WinRate w) {
        return w == null ? "—" : String.format(Locale.ROOT, "%.1f%% (%d/%d/%d)", 100 * w.rate(), w.wins(), w.ties(), w.losses());
    }

    private static String kl(KlToSft k) {
        return k == null ? "—" : String.format(Locale.ROOT, "%.2f ± %.2f", k.mean(), k.halfWidth());
    }

    /** A response in one table cell: pipes escaped, line breaks shown, cut at 160 characters. */
    private static String cell(String text) {
        String s = text.replace("|", "\\|").replace("\r", "").replace("\n", "⏎");
        return s.length() > 160 ? s.substring(0, 160) + "…" : s;
    }

    private void line(String s) {
        md.append(s).append('\n');
    }
}
