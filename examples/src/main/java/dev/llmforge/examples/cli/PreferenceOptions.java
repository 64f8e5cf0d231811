package dev.llmforge.examples.cli;

import dev.llmforge.alignment.data.BadRecords;
import dev.llmforge.alignment.data.PreferenceBatchSource;
import dev.llmforge.alignment.data.PreferenceEncoder;
import dev.llmforge.alignment.data.PreferenceExample;
import dev.llmforge.alignment.data.PreferenceFormat;
import dev.llmforge.alignment.data.PreferenceGroup;
import dev.llmforge.alignment.data.PreferenceReader;
import dev.llmforge.alignment.data.PromptSplit;
import dev.llmforge.alignment.data.Truncation;
import dev.llmforge.io.Checkpoint;
import dev.llmforge.model.GptConfig;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.tokenizer.TokenizerFiles;
import dev.llmforge.tokenizer.chat.ChatTemplate;
import dev.llmforge.training.PretrainSettings;
import dev.llmforge.spi.Backend;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingCheckpoint;
import dev.llmforge.training.TrainingConfig;
import dev.llmforge.training.TrainingResult;
import dev.llmforge.training.metrics.ConsoleProgress;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * What {@code llmforge reward} and {@code llmforge dpo} share: the starting checkpoint, the preference files (pairs,
 * ranked lists, Anthropic HH), their chat template and length, the held-out split, the output directory, and the
 * training settings (the command's defaults, or the checkpoint's with {@code --resume}, under the flags).
 */
final class PreferenceOptions {
    @Option(names = "--from", required = true, paramLabel = "CKPT", description = "the SFT (or base) checkpoint to start from; its tokenizer encodes the data")
    Path from;

    @Option(names = "--data", required = true, split = ",", paramLabel = "FILE[,FILE]",
            description = "preference files: {\"prompt\",\"chosen\",\"rejected\"} JSONL (TRL's format; Anthropic HH dialogues too), or ranked lists "
                    + "{\"prompt\",\"responses\",\"ranking\"}; .gz is read")
    List<Path> data;

    @Option(names = "--val-data", split = ",", paramLabel = "FILE[,FILE]", description = "held-out preference files (default: --val-fraction of --data)")
    List<Path> valData;

    @Option(names = "--val-fraction", paramLabel = "X", defaultValue = "0.1",
            description = "share of the prompts of --data held out for evaluation when there is no --val-data, drawn with --seed (default: ${DEFAULT-VALUE})")
    double valFraction;

    @Option(names = "--format", paramLabel = "pairs|ranked", description = "the files' format (default: detected from each file's first record)")
    String format;

    @Option(names = "--template", paramLabel = "NAME", defaultValue = "human-assistant",
            description = "chat template: chatml, human-assistant, qa (default: ${DEFAULT-VALUE})")
    String template;

    @Option(names = "--max-tokens", paramLabel = "N", description = "tokens of prompt + response (default: the model's context); longer ones keep the prompt's end and the response's start")
    Integer maxTokens;

    @Option(names = "--skip-bad", description = "skip bad records (default: stop at the first, naming its file and line)")
    boolean skipBad;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory: ckpt/, best/, metrics.jsonl, charts")
    Path out;

    /** The encoded preference groups for training and evaluation, and the checkpoint's tokenizer. */
    record Encoded(List<List<PreferenceExample>> train, List<List<PreferenceExample>> val, String tokenizerJson) {
        int pairs(List<List<PreferenceExample>> groups) {
            return groups.stream().mapToInt(List::size).sum();
        }
    }

    /** Reads, encodes and splits the data with the tokenizer of {@code --from}, printing what it found. */
    Encoded encode(GptConfig model, long seed, PrintWriter w) throws IOException {
        String tokenizerJson = Checkpoint.tokenizerJson(from)
                .orElseThrow(() -> new IOException(from + " has no " + Checkpoint.TOKENIZER + ": the preference data cannot be encoded"));
        int limit = tokenLimit(model);
        PreferenceEncoder encoder = encoder(limit);
        BadRecords bad = BadRecords.of(skipBad);
        List<PreferenceGroup> trainGroups = read(data, bad);
        List<PreferenceGroup> valGroups;
        if (valData != null) {
            valGroups = read(valData, bad);
        } else {
            PromptSplit split = splitByPrompt(trainGroups, seed);
            trainGroups = split.train();
            valGroups = split.heldOut();
        }
        List<List<PreferenceExample>> train = encoder.encodeAll(trainGroups, bad);
        List<List<PreferenceExample>> val = encoder.encodeAll(valGroups, bad);
        if (bad.count() > 0) {
            w.println("skipped: " + bad.summary());
        }
        List<Truncation> truncations = new ArrayList<>();
        train.forEach(g -> g.forEach(p -> truncations.add(p.truncation())));
        Encoded encoded = new Encoded(List.copyOf(train), List.copyOf(val), tokenizerJson);
        w.printf("data: %d prompts (%d pairs) to train on, %d prompts (%d pairs) held out; template %s, at most %d tokens; %s%n",
                PromptSplit.distinctPrompts(trainGroups), encoded.pairs(train), PromptSplit.distinctPrompts(valGroups), encoded.pairs(val), template,
                limit, Truncation.summary(truncations));
        w.flush();
        return encoded;
    }

    /**
     * Reads and encodes further preference files (e.g. a reward model's test pairs) as {@link #encode} does the
     * training data: same tokenizer, template, length and bad-record policy.
     */
    List<List<PreferenceExample>> encodeOther(List<Path> files, GptConfig model, PrintWriter w) throws IOException {
        BadRecords bad = BadRecords.of(skipBad);
        List<List<PreferenceExample>> groups = encoder(tokenLimit(model)).encodeAll(read(files, bad), bad);
        if (bad.count() > 0) {
            w.println("skipped in " + files + ": " + bad.summary());
        }
        return List.copyOf(groups);
    }

    private int tokenLimit(GptConfig model) {
        int limit = maxTokens != null ? maxTokens : model.blockSize();
        if (limit > model.blockSize()) {
            throw new IllegalArgumentException("--max-tokens " + limit + " exceeds the model's context of " + model.blockSize() + " tokens");
        }
        return limit;
    }

    private PreferenceEncoder encoder(int tokenLimit) throws IOException {
        Tokenizer tokenizer = TokenizerFiles.load(from.resolve(Checkpoint.TOKENIZER));
        return new PreferenceEncoder(ChatTemplate.named(template), tokenizer, tokenLimit);
    }

    /** --val-fraction of the prompts of --data held out, every pair of one prompt on the same side. */
    private PromptSplit splitByPrompt(List<PreferenceGroup> groups, long seed) {
        try {
            return PromptSplit.of(groups, valFraction, seed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--val-fraction " + valFraction + " of --data " + data + ": " + e.getMessage(), e);
        }
    }

    private List<PreferenceGroup> read(List<Path> files, BadRecords bad) throws IOException {
        return format == null ? PreferenceReader.read(files, bad) : PreferenceReader.read(files, PreferenceFormat.named(format), bad);
    }

    /** A batch source over {@code groups}: {@code batchSize} prompts a batch, shuffled from {@code seed} when not null. */
    static PreferenceBatchSource.Builder source(List<List<PreferenceExample>> groups, TrainingConfig training, Long seed) {
        PreferenceBatchSource.Builder b = PreferenceBatchSource.builder(groups).groupsPerBatch(training.batchSize());
        return seed == null ? b : b.shuffle(seed);
    }

    /** What a preference command starts from: the checkpoint to resume (or null), the settings, the engine and the data. */
    record Start(Path resumeFrom, TrainingConfig training, Backend backend, Encoded data) {
    }

    /**
     * Checks the output directory, settles the settings (the command's defaults, or the resumed run's, under the setting
     * flags given), starts the engine and encodes the data, printing each.
     */
    Start start(CommandSpec spec, RunOptions run, EngineOptions engine, TrainingConfig defaults, String extraSettings) throws IOException {
        PrintWriter w = spec.commandLine().getOut();
        run.check(out);
        Path resumeFrom = run.resumeFrom(out, w);
        TrainingConfig base = resumeFrom != null ? TrainingCheckpoint.readState(resumeFrom).config() : defaults;
        TrainingConfig training = PretrainSettings.applyTraining(SettingFlags.given(spec), "the command line", base);
        Backend backend = engine.resolve();
        Encoded data = encode(Checkpoint.loadConfig(from), training.seed(), w);
        w.println("backend: " + BackendChoice.describe(backend));
        w.println("settings: " + TrainingRuns.describe(PretrainSettings.trainingValues(training)) + " " + extraSettings);
        w.flush();
        return new Start(resumeFrom, training, backend, data);
    }

    /**
     * Runs {@code builder} (the objective and its models) with the start's settings and engine, these sources, the output
     * directory and progress, resuming if asked; prints the summary.
     */
    TrainingResult train(Trainer.Builder builder, Start start, PreferenceBatchSource train, PreferenceBatchSource val, RunOptions run,
                         PrintWriter w) throws IOException {
        builder.backend(start.backend()).config(start.training()).trainSource(train).evalSource("val", val)
                .tokenizerJson(start.data().tokenizerJson()).outputDir(out).overwrite(run.overwrite).listener(new ConsoleProgress(w, run.logInterval));
        if (start.resumeFrom() != null) {
            builder.resumeFrom(start.resumeFrom());
        }
        TrainingResult result;
        try (Trainer trainer = builder.build()) {
            result = TrainingRuns.runStoppingOnInterrupt(trainer, w);
        }
        TrainingRuns.summarize(result, out, w);
        return result;
    }
}
