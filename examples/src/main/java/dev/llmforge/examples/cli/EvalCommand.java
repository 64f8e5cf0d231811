package dev.llmforge.examples.cli;

import dev.llmforge.alignment.data.RecordLocation;
import dev.llmforge.alignment.data.RolloutPrompt;
import dev.llmforge.alignment.eval.EvalPrompt;
import dev.llmforge.alignment.eval.EvalRecord;
import dev.llmforge.alignment.eval.EvalSummary;
import dev.llmforge.alignment.eval.Evaluator;
import dev.llmforge.alignment.eval.FewShotExemplars;
import dev.llmforge.alignment.eval.PromptStyle;
import dev.llmforge.alignment.eval.QuestionResult;
import dev.llmforge.alignment.io.JsonLines;
import dev.llmforge.alignment.preference.ProgrammaticLabeler;
import dev.llmforge.alignment.preference.Sample;
import dev.llmforge.alignment.preference.WinRate;
import dev.llmforge.alignment.rl.RolloutSampler;
import dev.llmforge.alignment.rl.SequenceKl;
import dev.llmforge.io.Checkpoint;
import dev.llmforge.model.Gpt;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.tokenizer.chat.ChatMessage;
import dev.llmforge.tokenizer.chat.ChatTemplate;
import dev.llmforge.training.TrainingCheckpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code llmforge eval}: accuracy of a checkpoint on a file of questions with known answers, in a chosen prompt style. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Measure a model's accuracy on questions with known answers.",
        description = {"Put every question of an eval file ({\"question\": \"...\", \"answer\": \"...\"} a line; optional \"kind\") to a "
                + "checkpoint's model in a prompt style, check the answers (the number after \"The answer is\", else the last number; "
                + "for facts the answer in the first sentence), and print the accuracy and the share of responses that answer rather "
                + "than continue the document, each with a 95%% Wilson interval, overall and by kind. With --samples K > 1 each "
                + "question gets K sampled paths and the answer most of them reach wins (self-consistency; ties go to the larger "
                + "summed log-probability). Per-question results go to a JSON Lines file.",
                "Prompt styles (document layout shown; a chat template writes the same turns its own way): completion = the question "
                        + "text as written, continued (\"The capital of Peru is\"); zero-shot = \"Q: question\\nA:\"; instruction = the "
                        + "same with \"" + EvalPrompt.INSTRUCTION + "\" on the line before the question; few-shot = --shots solved "
                        + "exemplars first, answered with the final answer; cot = the same answered with worked solutions.", ""},
        footer = {"", "Examples:",
                "  llmforge eval --checkpoint out/story/base/best --tasks out/world/eval-facts.jsonl",
                "  llmforge eval --checkpoint out/story/sft/best --tasks out/world/eval-ages.jsonl --prompt-style cot --samples 10",
                "  llmforge eval --checkpoint out/story/base/best --tasks recall.jsonl --prompt-style completion"})
final class EvalCommand implements Callable<Integer> {
    /** The world's exemplars (seed 1337, full preset), used when no few-shot file is given or found. */
    static final String BUILT_IN_FEW_SHOT = "/data/story/few-shot.jsonl";
    /** The file name the world gives its exemplars; found beside the tasks file. */
    static final String WORLD_FEW_SHOT = "few-shot.jsonl";
    static final String DOCUMENT = "document";
    static final String AUTO = "auto";
    /** The key under which {@code llmforge sft} records its chat template in a checkpoint's training state. */
    static final String SAVED_TEMPLATE = "template";

    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", paramLabel = "DIR", required = true, description = "checkpoint directory (model.safetensors, config.json, tokenizer.json)")
    Path checkpoint;

    @Option(names = "--tasks", paramLabel = "FILE", required = true, description = "eval file: {\"question\", \"answer\"} a line")
    Path tasks;

    @Option(names = "--prompt-style", paramLabel = "STYLE", defaultValue = "zero-shot",
            description = "completion, zero-shot, instruction, few-shot or cot (default: ${DEFAULT-VALUE})")
    String promptStyle;

    @Option(names = "--template", paramLabel = "NAME", defaultValue = "auto",
            description = "the model's format: document (a base model: plain Q:/A: text), qa, chatml, human-assistant, or auto: the "
                    + "template the checkpoint was fine-tuned with (saved by llmforge sft), else chatml when the tokenizer has <|im_start|>, "
                    + "else document (default: ${DEFAULT-VALUE})")
    String template;

    @Option(names = "--few-shot", paramLabel = "FILE",
            description = "exemplars for few-shot and cot, in the eval format with an optional \"solution\" (default: few-shot.jsonl beside "
                    + "--tasks, as `llmforge world` writes it, else the built-in exemplars of the default world)")
    Path fewShot;

    @Option(names = "--shots", paramLabel = "N", defaultValue = "3", description = "exemplars in a few-shot prompt (default: ${DEFAULT-VALUE})")
    int shots;

    @Option(names = "--samples", paramLabel = "K", defaultValue = "1",
            description = "paths per question: 1 is greedy (unless --temperature is given), more are sampled and voted on (default: ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--temperature", paramLabel = "T", description = "sampling temperature (default: 0, greedy, for one sample; 0.7 for more)")
    Double temperature;

    @Option(names = "--top-k", paramLabel = "N", defaultValue = "40", description = "sample among the N most likely tokens; 0: all (default: ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--max-new-tokens", paramLabel = "N", defaultValue = "200", description = "longest response in tokens (default: ${DEFAULT-VALUE})")
    int maxNewTokens;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "16", description = "sequences generated together (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1337", description = "sampling seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", paramLabel = "FILE",
            description = "per-question results, JSON Lines (default: eval-<tasks name>-<style>[-k<K>].jsonl beside the checkpoint directory)")
    Path out;

    @Option(names = "--against", paramLabel = "FILE",
            description = "another model's greedy results file on the same tasks (llmforge eval --out, same --max-new-tokens): prints the "
                    + "programmatic labeler's win rate of this model's answers against those")
    Path against;

    @Option(names = "--kl-to", paramLabel = "DIR",
            description = "a reference checkpoint (e.g. the SFT model): prints KL(this model || reference) per response, one response per "
                    + "question sampled at temperature 1 (--seed), summed over its tokens (fine-tuned models: needs a chat template)")
    Path klTo;

    @Mixin
    EngineOptions engine;

    /** The model's format: a chat template's name or {@link #DOCUMENT}, and why it was chosen. */
    private record Format(String name, String reason) {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        PromptStyle style = PromptStyle.named(promptStyle);
        double t = temperature != null ? temperature : samples > 1 ? 0.7 : 0;
        Evaluator.Sampling sampling = new Evaluator.Sampling(samples, t, topK, maxNewTokens, seed);
        if (!Files.isRegularFile(checkpoint.resolve(Checkpoint.WEIGHTS))) {
            throw new IOException(checkpoint + " is not a checkpoint: expected " + Checkpoint.WEIGHTS + " there");
        }
        Tokenizer tokenizer = TrainingCheckpoint.tokenizer(checkpoint);
        Format format = template.equals(AUTO) ? detectedFormat(tokenizer) : new Format(template, "--template");
        ChatTemplate chat = chatTemplate(format.name());
        w.println("format: " + (chat == null ? "document layout" : format.name() + " chat template") + " (" + format.reason() + ")");
        FewShotExemplars exemplars = style.usesExemplars() ? exemplars(tokenizer, w) : null;
        EvalPrompt prompt = new EvalPrompt(style, chat, exemplars);
        List<EvalRecord> records = EvalRecord.read(tasks, record -> prompt.render(record, tokenizer));
        if (records.isEmpty()) {
            throw new IllegalArgumentException(tasks + " holds no questions");
        }
        Path results = out != null ? out : defaultOut(style);
        checkComparisons(chat, sampling);
        Backend backend = engine.resolve();
        try (Gpt model = Checkpoint.loadModel(checkpoint, backend)) {
            int context = model.config().blockSize();
            w.printf(Locale.ROOT, "model: %s (%,d parameters, context %d, backend %s)%n", checkpoint, model.parameterCount(), context,
                    BackendChoice.describe(backend));
            w.printf(Locale.ROOT, "prompts: %s; %s%n", prompt.describe(), sampling.isGreedy() ? "greedy"
                    : String.format(Locale.ROOT, "%d sampled paths per question, temperature %s, top-k %d, seed %d", samples, t, topK, seed));
            w.flush();
            long start = System.nanoTime();
            Evaluator evaluator = new Evaluator(model, tokenizer, prompt, sampling, batchSize);
            boolean terminal = System.console() != null; // a progress line rewritten in place; logs get the summary only
            List<QuestionResult> scored = evaluator.run(records, done -> {
                if (terminal) {
                    w.printf(Locale.ROOT, "\r%d/%d questions", done, records.size());
                    w.flush();
                }
            });
            if (terminal) {
                w.println();
            }
            long overContext = scored.stream().filter(r -> r.promptTokens() > context).count();
            w.printf(Locale.ROOT, "%d questions from %s in %s%s%n", records.size(), tasks, TrainingRuns.duration((System.nanoTime() - start) / 1e9),
                    overContext == 0 ? "" : String.format(Locale.ROOT, "; %d prompts longer than the context of %d tokens (the model read "
                            + "their last %d)", overContext, context, context));
            EvalSummary.of(scored).describe().forEach(w::println);
            if (sampling.samples() == 1) {
                labelerFigures(scored, w);
            }
            if (klTo != null) {
                klToReference(model, tokenizer, chat, records, backend, w);
            }
            JsonLines.write(results, scored.stream().map(QuestionResult::toJson).toList());
            w.println("results: " + results);
            w.flush();
        }
        return 0;
    }

    /** The chat template called {@code name}, or null for the document layout. */
    private void checkComparisons(ChatTemplate chat, Evaluator.Sampling sampling) throws IOException {
        if (against != null && !Files.isRegularFile(against)) {
            throw new IOException("--against " + against + ": no such results file");
        }
        if (against != null && sampling.samples() > 1) {
            throw new IllegalArgumentException("--against compares one answer per question; found --samples " + sampling.samples());
        }
        if (klTo != null && !Files.isRegularFile(klTo.resolve(Checkpoint.WEIGHTS))) {
            throw new IOException("--kl-to " + klTo + " is not a checkpoint: expected " + Checkpoint.WEIGHTS + " there");
        }
        if (klTo != null && chat == null) {
            throw new IllegalArgumentException("--kl-to samples answers in a chat template; this model is evaluated in the document layout "
                    + "(give --template qa, chatml or human-assistant)");
        }
    }

    /** The labeler's mean score of the answers and, with --against, its win rate against the other model's answers. */
    private void labelerFigures(List<QuestionResult> scored, PrintWriter w) throws IOException {
        List<EvalRecord> asked = scored.stream().map(QuestionResult::record).toList();
        List<Sample> answers = scored.stream().map(QuestionResult::chosen).map(p -> new Sample(p.text(), p.tokens() < maxNewTokens)).toList();
        double score = 0;
        for (int i = 0; i < asked.size(); i++) {
            score += ProgrammaticLabeler.score(asked.get(i), answers.get(i)) / asked.size();
        }
        w.printf(Locale.ROOT, "labeler score: mean %.3f (4 correct + 2 answers + 1 ends cleanly + up to 1 for brevity)%n", score);
        if (against != null) {
            WinRate verdicts = WinRate.of(asked, answers, WinRate.answersOf(against, asked, maxNewTokens));
            w.printf(Locale.ROOT, "labeler win rate against %s: %.3f (%d wins, %d ties, %d losses; wins + ties/2 over %d questions)%n", against,
                    verdicts.rate(), verdicts.wins(), verdicts.ties(), verdicts.losses(), verdicts.questions());
        }
    }

    /** KL(model || --kl-to) per response over the tasks' questions, each asked once in {@code chat} at temperature 1. */
    private void klToReference(Gpt model, Tokenizer tokenizer, ChatTemplate chat, List<EvalRecord> records, Backend backend, PrintWriter w)
            throws IOException {
        List<RolloutPrompt> prompts = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            EvalRecord r = records.get(i);
            prompts.add(new RolloutPrompt(List.of(ChatMessage.user(r.question())), r.question(), Optional.of(r.answer()),
                    new RecordLocation(tasks.toString(), i + 1)));
        }
        try (Gpt reference = Checkpoint.loadModel(klTo, backend); RolloutSampler sampler = new RolloutSampler(model, tokenizer, chat, 1.0, maxNewTokens)) {
            SequenceKl kl = SequenceKl.measure(model, reference, sampler, prompts, batchSize, seed, Tensor.on(backend));
            w.printf(Locale.ROOT, "KL to %s: %.3f +- %.3f nats per response (k1, %d responses sampled at temperature 1, seed %d)%n", klTo, kl.mean(),
                    kl.halfWidth(), kl.responses(), seed);
        }
    }

    private static ChatTemplate chatTemplate(String name) {
        if (name.equals(DOCUMENT)) {
            return null;
        }
        if (!ChatTemplate.NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown --template \"" + name + "\"; expected " + AUTO + ", " + DOCUMENT + ", "
                    + String.join(", ", ChatTemplate.NAMES));
        }
        return ChatTemplate.named(name);
    }

    /**
     * The template {@code llmforge sft} saved in the checkpoint's training state ({@code "template"}), else chatml when the
     * tokenizer has {@code <|im_start|>}, else the document layout of a base model.
     */
    private Format detectedFormat(Tokenizer tokenizer) throws IOException {
        if (TrainingCheckpoint.exists(checkpoint)) {
            String saved = TrainingCheckpoint.readState(checkpoint).data().get(SAVED_TEMPLATE);
            if (saved != null) {
                return new Format(saved, "the template the checkpoint was fine-tuned with");
            }
        }
        return tokenizer.specialTokens().contains("<|im_start|>") ? new Format("chatml", "the tokenizer has <|im_start|>")
                : new Format(DOCUMENT, "a base model: no fine-tuning template saved with the checkpoint");
    }

    private FewShotExemplars exemplars(Tokenizer tokenizer, PrintWriter w) throws IOException {
        Path file = fewShot;
        if (file == null) {
            Path beside = tasks.toAbsolutePath().resolveSibling(WORLD_FEW_SHOT);
            file = Files.isRegularFile(beside) ? beside : null;
        }
        List<EvalRecord> pool;
        if (file != null) {
            pool = EvalRecord.read(file, record -> tokenizer.encode(record.question() + FewShotExemplars.worked(record)));
            w.println("few-shot exemplars: " + file);
        } else {
            pool = builtInExemplars();
            w.println("few-shot exemplars: built in (" + BUILT_IN_FEW_SHOT + ", the default world's)");
        }
        return new FewShotExemplars(pool, shots);
    }

    private static List<EvalRecord> builtInExemplars() throws IOException {
        Path copy = Files.createTempFile("llmforge-few-shot", ".jsonl");
        try (InputStream in = EvalCommand.class.getResourceAsStream(BUILT_IN_FEW_SHOT)) {
            if (in == null) {
                throw new IOException("the built-in few-shot exemplars are missing from the class path (" + BUILT_IN_FEW_SHOT + ")");
            }
            Files.write(copy, in.readAllBytes());
            return EvalRecord.read(copy);
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    private Path defaultOut(PromptStyle style) {
        String name = tasks.getFileName().toString().replaceFirst("\\.jsonl$", "");
        String file = "eval-" + name + "-" + style.id() + (samples > 1 ? "-k" + samples : "") + ".jsonl";
        Path parent = checkpoint.toAbsolutePath().getParent();
        return parent != null ? parent.resolve(file) : Path.of(file);
    }
}
