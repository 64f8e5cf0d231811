package dev.llmforge.examples.cli;

import dev.llmforge.examples.story.Story;
import dev.llmforge.examples.story.StoryLayout;
import dev.llmforge.examples.story.StoryPlan;
import dev.llmforge.examples.story.StoryRun;
import dev.llmforge.spi.Backend;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code llmforge story}: the whole story — world, base, SFT, reward model, PPO, DPO, GRPO, evaluation and report — in one command. */
@Command(name = "story", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Run the whole story: world, base model, SFT, reward model, PPO, DPO, GRPO, evaluation, report.md.",
        description = {"Generates the story world, pretrains a base model on its documents, fine-tunes it on its conversations, "
                + "ranks sampled SFT answers with the programmatic labeler, trains a reward model on the pairs, runs PPO, DPO and "
                + "GRPO from the SFT model, evaluates every model on the same held-out questions (answers vs continuations, facts "
                + "of held-out countries, age problems, win rate and KL against SFT), studies prompting (zero-shot, instruction, "
                + "few-shot, chain of thought, self-consistency) on the base and SFT models, and writes report.md with PNG charts.",
                "Each stage is a directory under --out (world/, base/, sft/, preferences/, reward/, ppo/, dpo/, grpo/); a stage "
                        + "whose output is complete is reused, an interrupted training stage continues from its checkpoint. See "
                        + "docs/story.md.", ""},
        footer = {"", "Examples:", "  llmforge story --quick                 # tiny world and model, minutes",
                "  llmforge story --out out/story         # the full plan"})
final class StoryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "a tiny world and model (the CI run) instead of the full plan")
    boolean quick;

    @Option(names = "--out", paramLabel = "DIR", description = "output directory (default: out/story, or out/story-quick with --quick)")
    Path out;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1337", description = "seed of the world, the training and the sampling (default: ${DEFAULT-VALUE})")
    long seed;

    @Mixin
    EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        StoryPlan plan = (quick ? StoryPlan.quick() : StoryPlan.full()).seeded(seed);
        Path dir = out != null ? out : Path.of(quick ? "out/story-quick" : "out/story");
        Backend backend = engine.resolve();
        w.println("backend: " + BackendChoice.describe(backend) + "; plan " + plan.name() + ", seed " + seed + ", output " + dir);
        w.flush();
        String command = "llmforge story" + (quick ? " --quick" : "") + " --out " + dir + " --seed " + seed + " --backend " + backend.name()
                + (engine.threads > 0 ? " --threads " + engine.threads : "");
        Story.run(new StoryRun(plan, new StoryLayout(dir), seed, backend, w), command);
        return 0;
    }
}
