package dev.llmforge.examples.cli;

import dev.llmforge.alignment.data.LossOn;
import dev.llmforge.alignment.data.SftFormat;
import dev.llmforge.alignment.sft.Sft;
import dev.llmforge.spi.Backend;
import dev.llmforge.tokenizer.chat.ChatTemplate;
import dev.llmforge.training.PretrainSettings;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingCheckpoint;
import dev.llmforge.training.TrainingConfig;
import dev.llmforge.training.TrainingResult;
import dev.llmforge.training.TrainingState;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code llmforge sft}: supervised fine-tuning of a base model on conversations, Q&A text or instruction records, in a
 * chat template, with the loss on the assistant's tokens. Settings: {@link #defaults()} (or the checkpoint's, with
 * {@code --resume}) < {@code --config} file < flags.
 */
@Command(name = "sft", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Fine-tune a model on conversations (supervised fine-tuning).",
        description = {"Fine-tune a model on question/answer records so that it answers instead of continuing documents. Records: "
                + "messages, prompt/completion, Alpaca, Q&A text, self-instruct, GSM8K, Anthropic HH (detected per file). Each is "
                + "rendered with the chat template; the loss covers the assistant's tokens and the end-of-turn token after each answer "
                + "(--loss-on all: every token). Special tokens the template needs and the tokenizer lacks are added, and the model's "
                + "embedding and head grow (new rows: the mean of the old).",
                "Evaluation: masked loss on held-out records (val_loss) and on training records (train_loss), and, where held-out "
                        + "records carry a final answer (GSM8K), the exact-match accuracy of greedy answers (val_exact_match), the share "
                        + "of them that answer rather than continue the document (val_answers) and that end at the end of turn "
                        + "(val_ends_cleanly).",
                "The output directory receives ckpt/ (to --resume), best/ (lowest val_loss), metrics.jsonl and loss.png; "
                        + "`llmforge chat` and `llmforge generate` read both checkpoints.", ""},
        footer = {"", "Examples:",
                "  llmforge sft --from out/gsm8k-base/best --data train.jsonl --out out/gsm8k-sft",
                "  llmforge sft --from gpt2-dir --data chats.jsonl --template chatml --max-iters 2000",
                "  llmforge sft --from out/base/best --data chats.jsonl --packing            # several records a row",
                "  llmforge sft --from stories260K.bin --tokenizer tok512.bin --data chats.jsonl   # a llama2.c checkpoint",
                "  llmforge sft --out out/gsm8k-sft --resume --max-iters 800",
                "  llmforge sft --from out/gsm8k-base/best --data train.jsonl --spark-master local[2] --replicas 2   # data-parallel on Spark"})
final class SftCommand implements Callable<Integer> {
    static final Path DEFAULT_OUT = Path.of("out", "sft");

    @Spec
    CommandSpec spec;

    @Option(names = "--from", paramLabel = "DIR|FILE", description = "the model to fine-tune: an llmforge checkpoint, a Hugging Face GPT-2 "
            + "directory, or a llama2.c checkpoint file with --tokenizer (required unless --resume)")
    Path from;

    @Option(names = "--tokenizer", paramLabel = "FILE", description = "the tokenizer file of a llama2.c checkpoint (llama2.c's tokenizer.bin "
            + "or the one the model was trained with)")
    Path tokenizer;

    @Option(names = "--data", paramLabel = "FILE[,FILE...]", split = ",", description = "training records (required unless --resume, "
            + "which reuses the run's files)")
    List<Path> data;

    @Option(names = "--val-data", paramLabel = "FILE[,FILE...]", split = ",",
            description = "held-out records (default: --val-fraction of the training records, chosen from the seed)")
    List<Path> valData;

    @Option(names = "--val-fraction", paramLabel = "X", defaultValue = "0.05", description = "share held out without --val-data (default: ${DEFAULT-VALUE})")
    double valFraction;

    @Option(names = "--format", paramLabel = "NAME", description = "the format of every file: messages, prompt-completion, alpaca, qa, "
            + "self-instruct, gsm8k, hh (default: detected per file)")
    String format;

    @Option(names = "--template", paramLabel = "chatml|human-assistant|qa", description = "chat template (default: qa; with --resume, the run's)")
    String template;

    @Option(names = "--loss-on", paramLabel = "assistant|all", defaultValue = "assistant",
            description = "tokens the loss covers: the assistant's answers with their end of turn, or every token (default: ${DEFAULT-VALUE})")
    String lossOn;

    @Option(names = "--packing", description = "pack several records into each row of the context (positions restart per record, no "
            + "attention across records): fewer batches an epoch; with --resume, the run's choice")
    boolean packing;

    @Option(names = "--skip-bad-records", description = "skip and count records that cannot be used instead of stopping at the first")
    boolean skipBadRecords;

    @Option(names = "--eval-answers", paramLabel = "N", defaultValue = "32",
            description = "held-out records with a final answer answered greedily at each evaluation; 0: none (default: ${DEFAULT-VALUE})")
    int evalAnswers;

    @Option(names = "--answer-tokens", paramLabel = "N", defaultValue = "128", description = "the longest greedy answer (default: ${DEFAULT-VALUE})")
    int answerTokens;

    @Option(names = "--out", paramLabel = "DIR", description = "output directory (default: out/sft)")
    Path out;

    @Option(names = "--config", paramLabel = "FILE", description = "settings file, .json or .properties (training settings only)")
    Path configFile;

    @Mixin
    EngineOptions engine;

    @Mixin
    RunOptions run;

    @Mixin
    SparkOptions spark;

    /**
     * The training settings of a fine-tuning run unless changed: nanoGPT's loop with a fine-tuning schedule — batch 8,
     * 1,000 steps, lr 3e-4 with 50 warmup steps and cosine decay to 3e-5, no weight decay (TRL's default), clipping at
     * 1.0, evaluation every 100 steps on 10 batches.
     */
    static TrainingConfig defaults() {
        return TrainingConfig.builder().batchSize(8).maxIters(1000).learningRate(3e-4).minLr(3e-5).warmupIters(50).lrDecayIters(1000)
                .weightDecay(0).evalInterval(100).evalIters(10).build();
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        Path outDir = out != null ? out : DEFAULT_OUT;
        run.check(outDir);
        Map<String, String> fileSettings = configFile != null ? PretrainSettings.read(configFile) : Map.of();
        Map<String, String> flags = SettingFlags.given(spec);
        LossOn.named(lossOn);
        if (format != null) {
            SftFormat.named(format);
        }
        if (template != null) {
            ChatTemplate.named(template);
        }
        if (valData == null && !(valFraction > 0 && valFraction < 1)) {
            throw new IllegalArgumentException("--val-fraction must be in (0, 1), got " + valFraction);
        }
        Backend backend = engine.resolve();

        TrainingConfig training;
        Path resumeFrom = null;
        long startStep = 0;
        List<Path> trainFiles = data;
        List<Path> valFiles = valData;
        String chatTemplate = template != null ? template : "qa";
        int answerRecords = evalAnswers;
        int answerLength = answerTokens;
        boolean packRecords = packing;
        if (run.resume) {
            if (from != null || tokenizer != null) {
                throw new IllegalArgumentException("--resume continues the model saved in " + outDir.resolve(Trainer.LATEST_DIR)
                        + " with its tokenizer: leave out --from and --tokenizer");
            }
            resumeFrom = run.resumeFrom(outDir, w);
            TrainingState state = TrainingCheckpoint.readState(resumeFrom);
            startStep = state.step();
            training = PretrainSettings.applyTraining(flags, "the command line",
                    PretrainSettings.applyTraining(fileSettings, "the config file", state.config()));
            answerRecords = saved(state, "--eval-answers", Sft.ANSWER_RECORDS, evalAnswers);
            answerLength = saved(state, "--answer-tokens", Sft.ANSWER_TOKENS, answerTokens);
            chatTemplate = template != null ? template : state.data().getOrDefault("template", "qa");
            packRecords = spec.commandLine().getParseResult().hasMatchedOption("--packing") ? packing
                    : Boolean.parseBoolean(state.data().getOrDefault(Sft.PACKING, "false"));
            if (trainFiles == null) {
                trainFiles = savedFiles(state, "files", resumeFrom);
            }
            if (valFiles == null && state.data().containsKey(Sft.VAL_FILES)) {
                valFiles = savedFiles(state, Sft.VAL_FILES, resumeFrom);
            }
        } else {
            if (from == null) {
                throw new IllegalArgumentException("--from DIR is required: the checkpoint to fine-tune (or --resume to continue a run)");
            }
            if (data == null) {
                throw new IllegalArgumentException("--data FILE is required: the records to fine-tune on");
            }
            training = PretrainSettings.applyTraining(flags, "the command line", PretrainSettings.applyTraining(fileSettings, "the config file", defaults()));
        }
        training = spark.globalBatch(training, resumeFrom != null, fileSettings, flags);
        w.println("backend: " + BackendChoice.describe(backend));
        w.println("settings: " + TrainingRuns.describe(PretrainSettings.trainingValues(training)));
        w.flush();
        if (startStep >= training.maxIters()) {
            w.println("nothing to do: the checkpoint is at step " + startStep + " and max-iters is " + training.maxIters()
                    + " (raise --max-iters to train further)");
            w.flush();
            return 0;
        }
        SftJob job = new SftJob(engine.backendName, engine.threads, from == null ? null : from.toString(),
                tokenizer == null ? null : tokenizer.toString(), strings(trainFiles),
                strings(valFiles == null ? List.of() : valFiles), valFraction, format, chatTemplate, lossOn, packRecords, skipBadRecords, answerRecords,
                answerLength, outDir.toString(), training, resumeFrom == null ? null : resumeFrom.toString(), run.overwrite, run.logInterval);
        TrainingResult result = spark.train(job, backend, training, w);
        TrainingRuns.summarize(result, outDir, w);
        w.println("chat with it: llmforge chat --checkpoint " + outDir.resolve(TrainingCheckpoint.exists(outDir.resolve(Trainer.BEST_DIR))
                ? Trainer.BEST_DIR : Trainer.LATEST_DIR));
        w.flush();
        return 0;
    }

    private static List<String> strings(List<Path> files) {
        return files.stream().map(Path::toString).toList();
    }

    /** The flag's value if given, else the run's saved value, else the flag's default. */
    private int saved(TrainingState state, String flag, String key, int value) {
        String v = state.data().get(key);
        return spec.commandLine().getParseResult().hasMatchedOption(flag) || v == null ? value : Integer.parseInt(v);
    }

    private static List<Path> savedFiles(TrainingState state, String key, Path checkpoint) {
        String files = state.data().get(key);
        if (files == null || files.isEmpty()) {
            throw new IllegalArgumentException(checkpoint + " does not name its data files: pass --data FILE");
        }
        return Arrays.stream(files.split(",")).map(Path::of).toList();
    }
}
