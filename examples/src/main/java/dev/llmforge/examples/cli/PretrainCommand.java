package dev.llmforge.examples.cli;

import dev.llmforge.io.Checkpoint;
import dev.llmforge.model.GptConfig;
import dev.llmforge.model.MemoryBudget;
import dev.llmforge.spi.Backend;
import dev.llmforge.training.PretrainSettings;
import dev.llmforge.training.TrainingCheckpoint;
import dev.llmforge.training.TrainingConfig;
import dev.llmforge.training.TrainingMemory;
import dev.llmforge.training.TrainingResult;
import dev.llmforge.training.TrainingState;
import dev.llmforge.training.data.TokenData;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code llmforge pretrain}: trains a base model. Without arguments it is nanoGPT's documented CPU
 * run on character-level Tiny Shakespeare (prepared into {@code out/shakespeare-char} on first use).
 * Settings come from, in increasing precedence: the reference run (or, with {@code --resume}, the
 * checkpoint), a {@code --config} file, and the flags.
 */
@Command(name = "pretrain", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Pretrain a base model (default: nanoGPT's CPU run on Tiny Shakespeare).",
        description = {"Pretrain a GPT on prepared token files. With no arguments: nanoGPT's CPU reference run on character-level "
                + "Tiny Shakespeare (4 layers, 4 heads, width 128, context 64, batch 12, 2,000 steps, lr 1e-3 with 100 warmup "
                + "steps and cosine decay to 1e-4, AdamW betas 0.9/0.99, weight decay 0.1, clipping at 1.0, evaluation every "
                + "250 steps on 20 batches), preparing the data first if needed.",
                "The output directory receives ckpt/ (latest checkpoint, to resume), best/ (lowest validation loss, to "
                        + "generate), metrics.jsonl and loss.png.",
                "Settings: the reference run (or the checkpoint's, with --resume) < --config file < flags. A config file is "
                        + "JSON ({\"n_layer\": 6, \"lr\": 6e-4}) or .properties (n-layer=6); keys are the flag names, "
                        + "nanoGPT's names (n_layer, learning_rate, gradient_accumulation_steps) also work.", ""},
        footer = {"", "Examples:", "  llmforge pretrain                                  # the reference run",
                "  llmforge pretrain --max-iters 5000 --dropout 0.1   # longer, with dropout",
                "  llmforge pretrain --resume --max-iters 4000        # continue to step 4,000",
                "  llmforge pretrain --data ../nanoGPT/data/shakespeare_char --out out/nano",
                "  llmforge pretrain --spark-master local[2] --replicas 2   # data-parallel on Spark (LLMFORGE_SPARK=1 ./llmforge)"})
final class PretrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR",
            description = "prepared data (train.bin, val.bin, and meta.json or nanoGPT's meta.pkl) (default: the output directory, "
                    + "prepared from --input there if it has no data yet)")
    Path data;

    @Option(names = "--input", paramLabel = "FILE", description = "text to prepare when there is no prepared data (default: Tiny Shakespeare)")
    Path input;

    @Option(names = "--tokenizer", paramLabel = "char|gpt2|bpe:N[:digits]", defaultValue = "char",
            description = "tokenizer for preparing --input, as `llmforge prepare --tokenizer` (default: ${DEFAULT-VALUE})")
    String tokenizer;

    @Option(names = "--out", paramLabel = "DIR", description = "output directory (default: --data if given, else out/shakespeare-char)")
    Path out;

    @Option(names = "--config", paramLabel = "FILE", description = "settings file, .json or .properties")
    Path configFile;

    @Mixin
    EngineOptions engine;

    @Mixin
    RunOptions run;

    @Mixin
    SparkOptions spark;

    /** Adds one option per {@link PretrainSettings} key ({@code --n-layer}, {@code --lr}, ...), documented with the reference value. */
    static void addSettingOptions(CommandSpec spec) {
        SettingFlags.add(spec, PretrainSettings.values(GptConfig.shakespeareChar(65), TrainingConfig.nanoGptShakespeareChar()));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        Corpus corpus = null;
        Path outDir = out;
        if (outDir == null) {
            if (data != null) {
                outDir = data;
            } else {
                corpus = Corpus.of(input);
                outDir = corpus.defaultOutput(tokenizer);
            }
        }
        Map<String, String> fileSettings = configFile != null ? PretrainSettings.read(configFile) : Map.of();
        Map<String, String> flags = SettingFlags.given(spec);
        PretrainSettings.check(fileSettings, "the config file");
        PretrainSettings.check(flags, "the command line");
        run.check(outDir);
        Backend backend = engine.resolve(); // an unknown backend fails before any data is prepared
        TokenData tokens = openData(outDir, corpus, w);

        GptConfig model;
        TrainingConfig training;
        Path resumeFrom = run.resumeFrom(outDir, w);
        long startStep = 0;
        if (resumeFrom != null) {
            TrainingState state = TrainingCheckpoint.readState(resumeFrom);
            startStep = state.step();
            GptConfig saved = Checkpoint.loadConfig(resumeFrom);
            GptConfig.Builder mb = saved.toBuilder();
            TrainingConfig.Builder tb = state.config().toBuilder();
            applySettings(fileSettings, flags, mb, tb);
            model = mb.build();
            requireSameShape(saved, model, resumeFrom);
            training = tb.build();
        } else {
            GptConfig.Builder mb = GptConfig.shakespeareChar(tokens.vocabSize()).toBuilder();
            TrainingConfig.Builder tb = TrainingConfig.nanoGptShakespeareChar().toBuilder();
            applySettings(fileSettings, flags, mb, tb);
            model = mb.build();
            training = tb.build();
        }
        training = spark.globalBatch(training, resumeFrom != null, fileSettings, flags);
        w.println("backend: " + BackendChoice.describe(backend));
        w.println("settings: " + TrainingRuns.describe(PretrainSettings.values(model, training)));
        w.println("memory: " + TrainingMemory.estimate(model, training, backend).describe() + " (" + MemoryBudget.format(MemoryBudget.available(backend))
                + " " + MemoryBudget.describeAvailable(backend) + ")");
        w.flush();

        if (startStep >= training.maxIters()) {
            w.println("nothing to do: the checkpoint is at step " + startStep + " and max-iters is " + training.maxIters()
                    + " (raise --max-iters to train further)");
            w.flush();
            return 0;
        }
        PretrainJob job = new PretrainJob(engine.backendName, engine.threads, tokens.directory().toString(), outDir.toString(), model, training,
                resumeFrom == null ? null : resumeFrom.toString(), run.overwrite, run.logInterval);
        TrainingResult result = spark.train(job, backend, training, w);
        TrainingRuns.summarize(result, outDir, w);
        return 0;
    }

    private TokenData openData(Path outDir, Corpus corpus, PrintWriter w) throws IOException {
        boolean preparing = spec.commandLine().getParseResult().hasMatchedOption("--input")
                || spec.commandLine().getParseResult().hasMatchedOption("--tokenizer");
        if (data != null || TokenData.isPrepared(outDir)) {
            Path dir = data != null ? data : outDir;
            if (preparing) {
                throw new IllegalArgumentException("--input and --tokenizer prepare new data, but " + dir + " already holds prepared data: "
                        + "leave them out to train on it, or choose another --out (or run llmforge prepare)");
            }
            TokenData existing = TokenData.open(dir);
            w.println("data: " + existing.describe());
            return existing;
        }
        if (run.resume) {
            throw new IOException("no prepared data in " + outDir + " to resume with: pass --data DIR (the data the checkpoint was trained on)");
        }
        return PrepareCommand.prepare(corpus != null ? corpus : Corpus.of(input), tokenizer, outDir, 0.9, false, w);
    }

    private static void applySettings(Map<String, String> fileSettings, Map<String, String> flags, GptConfig.Builder model,
                                      TrainingConfig.Builder training) {
        PretrainSettings.apply(fileSettings, "the config file", model, training);
        PretrainSettings.apply(flags, "the command line", model, training);
    }

    private static void requireSameShape(GptConfig saved, GptConfig requested, Path checkpoint) {
        Map<String, Object> before = PretrainSettings.values(saved, TrainingConfig.nanoGptShakespeareChar());
        Map<String, Object> after = PretrainSettings.values(requested, TrainingConfig.nanoGptShakespeareChar());
        List<String> changed = new ArrayList<>();
        for (String key : PretrainSettings.modelKeys()) {
            if (!before.get(key).equals(after.get(key))) {
                changed.add(key + " " + before.get(key) + " -> " + after.get(key));
            }
        }
        if (!changed.isEmpty()) {
            throw new IllegalArgumentException("--resume continues the model of " + checkpoint + "; its shape cannot change (" + String.join(", ", changed)
                    + "). Start a new run in another --out instead");
        }
    }
}
