package dev.llmforge.examples.cli;

import dev.llmforge.alignment.data.BadRecords;
import dev.llmforge.alignment.data.PromptReader;
import dev.llmforge.alignment.data.RolloutPrompt;
import dev.llmforge.alignment.preference.LabeledPair;
import dev.llmforge.alignment.preference.LabeledSampling;
import dev.llmforge.alignment.preference.PairKind;
import dev.llmforge.alignment.preference.RankedResponses;
import dev.llmforge.alignment.rl.RolloutSampler;
import dev.llmforge.io.Checkpoint;
import dev.llmforge.model.Gpt;
import dev.llmforge.spi.Backend;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.tokenizer.chat.ChatTemplate;
import dev.llmforge.training.PretrainSettings;
import dev.llmforge.training.TrainingCheckpoint;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code llmforge label}: a model's sampled answers ranked by the programmatic labeler, as preference files. */
@Command(name = "label", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Sample several answers per prompt and rank them with the programmatic labeler (preference data).",
        description = {"The stand-in for human rankers (docs/story-world.md): --samples answers of the model to each prompt of an "
                + "eval file ({\"question\",\"answer\"}), sampled at --temperature, ranked by the labeler (correct final answer, then "
                + "answering rather than continuing, then ending at the end of the turn, then brevity). Writes ranked.jsonl (the "
                + "ranked lists) and pairs.jsonl (TRL's prompt/chosen/rejected with the pair's kind: form, correctness or length) "
                + "into --out; pairs with an empty answer are left out and counted, and --length-pairs thins the length-only pairs "
                + "(ranked.jsonl keeps every ranking).", ""},
        footer = {"", "Example:", "  llmforge label --from out/sft/best --prompts out/world/train-prompts.jsonl --samples 4 --out out/labels"})
final class LabelCommand implements Callable<Integer> {
    static final String PAIRS = "pairs.jsonl";
    static final String RANKED = "ranked.jsonl";

    @Spec
    CommandSpec spec;

    @Option(names = "--from", paramLabel = "DIR", required = true, description = "the checkpoint whose answers are ranked")
    Path from;

    @Option(names = "--prompts", paramLabel = "FILE", required = true, description = "questions with expected answers")
    Path prompts;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "output directory: ranked.jsonl, pairs.jsonl")
    Path out;

    @Option(names = "--samples", paramLabel = "K", defaultValue = "4", description = "answers per prompt (default: ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--template", paramLabel = "NAME", defaultValue = "qa", description = "chat template: chatml, human-assistant, qa (default: ${DEFAULT-VALUE})")
    String template;

    @Option(names = "--temperature", paramLabel = "X", defaultValue = "1.0", description = "sampling temperature (default: ${DEFAULT-VALUE})")
    double temperature;

    @Option(names = "--max-new-tokens", paramLabel = "N", defaultValue = "96", description = "longest answer (default: ${DEFAULT-VALUE})")
    int maxNewTokens;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32", description = "sequences generated together (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--length-pairs", paramLabel = "X", defaultValue = "1",
            description = "share of the length-only pairs (both answers equally right, answering and ending cleanly) written to pairs.jsonl, "
                    + "drawn with --seed; 0 drops them (default: ${DEFAULT-VALUE}: all)")
    double lengthPairs;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1337", description = "sampling seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Mixin
    EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        FlagChecks.range("--samples", samples, 2, 1024);
        FlagChecks.range("--max-new-tokens", maxNewTokens, 1, PretrainSettings.MAX_COUNT);
        FlagChecks.range("--batch-size", batchSize, 1, PretrainSettings.MAX_COUNT);
        FlagChecks.range("--length-pairs", lengthPairs, 0.0, 1.0);
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("--temperature: expected a positive temperature (ranking needs different answers), found " + temperature);
        }
        ChatTemplate chat = ChatTemplate.named(template);
        List<RolloutPrompt> questions = PromptReader.read(prompts, BadRecords.failFast());
        Tokenizer tokenizer = TrainingCheckpoint.tokenizer(from);
        Backend backend = engine.resolve();
        long start = System.nanoTime();
        LabeledSampling labeled;
        try (Gpt model = Checkpoint.loadModel(from, backend);
             RolloutSampler sampler = new RolloutSampler(model, tokenizer, chat, temperature, maxNewTokens)) {
            labeled = LabeledSampling.collect(sampler, questions, samples, batchSize, seed);
        }
        Files.createDirectories(out);
        RankedResponses.write(out.resolve(RANKED), labeled.ranked());
        LabeledSampling kept = labeled.keeping(PairKind.LENGTH, lengthPairs, seed);
        LabeledPair.write(out.resolve(PAIRS), kept.pairs());
        int leftOut = labeled.pairs().size() - kept.pairs().size();
        w.printf(Locale.ROOT, "%d answers to each of %d prompts in %s: %d pairs (%d form, %d correctness, %d length)%s%s%n", samples,
                questions.size(), TrainingRuns.duration((System.nanoTime() - start) / 1e9), kept.pairs().size(), kept.count(PairKind.FORM),
                kept.count(PairKind.CORRECTNESS), kept.count(PairKind.LENGTH), leftOut > 0 ? "; " + leftOut + " length pairs left out (--length-pairs)" : "",
                labeled.emptyLeftOut() > 0 ? "; " + labeled.emptyLeftOut() + " pairs with an empty answer left out" : "");
        w.println("wrote " + out.resolve(RANKED) + " and " + out.resolve(PAIRS));
        w.flush();
        return 0;
    }
}
