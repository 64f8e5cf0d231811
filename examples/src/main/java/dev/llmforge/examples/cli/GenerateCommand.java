package dev.llmforge.examples.cli;

import dev.llmforge.generate.GenerationConfig;
import dev.llmforge.generate.GenerationResult;
import dev.llmforge.generate.Generator;
import dev.llmforge.io.Checkpoint;
import dev.llmforge.model.Gpt;
import dev.llmforge.spi.Backend;
import dev.llmforge.tokenizer.StreamingDecoder;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingCheckpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code llmforge generate}: continues a prompt with a trained model, printing tokens as they are sampled. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Continue a prompt with a trained model, streaming the text.",
        description = "Continue a prompt with a checkpoint's model (a base model completes documents), streaming the text as it is "
                + "sampled. Prints the prompt followed by its continuation.",
        footer = {"", "Examples:", "  llmforge generate                    # out/shakespeare-char/best, prompt \"\\n\"",
                "  llmforge generate --prompt \"ROMEO:\" --max-new-tokens 300 --temperature 0.8",
                "  llmforge generate --checkpoint out/nano/ckpt --num-samples 3 --seed 7"})
final class GenerateCommand implements Callable<Integer> {
    static final Path DEFAULT_RUN = Path.of("out", "shakespeare-char");

    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", paramLabel = "DIR",
            description = "checkpoint directory (model.safetensors, config.json, tokenizer.json) (default: out/shakespeare-char/best, "
                    + "else out/shakespeare-char/ckpt)")
    Path checkpoint;

    @Option(names = "--prompt", paramLabel = "TEXT", defaultValue = "\n", description = "text to continue (default: a newline, as nanoGPT's sample.py)")
    String prompt;

    @Option(names = "--prompt-file", paramLabel = "FILE", description = "read the prompt from a UTF-8 file instead")
    Path promptFile;

    @Option(names = "--max-new-tokens", paramLabel = "N", defaultValue = "500", description = "tokens to generate (default: ${DEFAULT-VALUE})")
    int maxNewTokens;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0.8",
            description = "sampling temperature; 0 is greedy (default: ${DEFAULT-VALUE})")
    double temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "200", description = "sample among the K most likely tokens; 0: all (default: ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "1.0",
            description = "sample among the most likely tokens holding probability P; 1: all (default: ${DEFAULT-VALUE})")
    double topP;

    @Option(names = "--repetition-penalty", paramLabel = "X", defaultValue = "1.0", description = "above 1 discourages repeats (default: ${DEFAULT-VALUE})")
    double repetitionPenalty;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1337", description = "sampling seed; sample i draws from stream i of it (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--num-samples", paramLabel = "N", defaultValue = "1", description = "independent samples, generated together as one batch; the first streams (default: ${DEFAULT-VALUE})")
    int numSamples;

    @Option(names = "--no-stream", description = "print each sample when it is complete instead of token by token")
    boolean noStream;

    @Option(names = "--no-cache", description = "recompute the whole context (the last block-size tokens) at every step, as nanoGPT, "
            + "instead of using the KV cache")
    boolean noCache;

    @Mixin
    EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        checkFlags();
        String text = promptFile != null ? TextFiles.readUtf8(promptFile, "prompt file") : prompt;
        Path dir = checkpointDir();
        GenerationConfig config = GenerationConfig.builder().maxNewTokens(maxNewTokens).temperature(temperature).topK(topK).topP(topP)
                .repetitionPenalty(repetitionPenalty).useCache(!noCache).seed(seed).build();
        Tokenizer tokenizer = TrainingCheckpoint.tokenizer(dir);
        int[] ids = tokenizer.encode(text);
        if (ids.length == 0) {
            throw new IllegalArgumentException("the prompt is empty: give at least one character (nanoGPT starts from \"\\n\")");
        }
        Backend backend = engine.resolve();
        try (Gpt model = Checkpoint.loadModel(dir, backend); Generator generator = new Generator(model, tokenizer::decode)) {
            if (model.config().vocabSize() != tokenizer.vocabSize()) {
                throw new IllegalArgumentException(dir + ": the model has " + model.config().vocabSize() + " tokens but its tokenizer "
                        + tokenizer.vocabSize());
            }
            List<int[]> prompts = Collections.nCopies(numSamples, ids); // one batch: sample i draws from stream i of the seed
            w.print(text);
            w.flush();
            List<GenerationResult> results;
            if (noStream) {
                results = generator.generate(prompts, config, null);
                w.print(results.get(0).text());
            } else {
                StreamingDecoder live = tokenizer.newDecoder(); // the first sample streams, the others print when done
                results = generator.generate(prompts, config, (row, token) -> {
                    if (row == 0) {
                        w.print(live.push(token));
                        w.flush();
                    }
                });
                w.print(live.finish());
            }
            endSample(w);
            for (GenerationResult r : results.subList(1, results.size())) {
                w.print(text);
                w.print(r.text());
                endSample(w);
            }
        }
        return 0;
    }

    /** The most samples one command generates (they run as one batch). */
    static final int MAX_SAMPLES = 1024;

    private void checkFlags() {
        FlagChecks.range("--max-new-tokens", maxNewTokens, 0, Integer.MAX_VALUE);
        FlagChecks.range("--temperature", temperature, 0, Double.MAX_VALUE);
        if (temperature > 0 && temperature < GenerationConfig.MIN_TEMPERATURE) {
            throw new IllegalArgumentException("--temperature takes 0 (greedy) or at least " + GenerationConfig.MIN_TEMPERATURE
                    + " (a smaller one divides the logits into infinities), got " + temperature);
        }
        FlagChecks.range("--top-k", topK, 0, Integer.MAX_VALUE);
        FlagChecks.range("--top-p", topP, Double.MIN_VALUE, 1);
        FlagChecks.range("--repetition-penalty", repetitionPenalty, Double.MIN_VALUE, Double.MAX_VALUE);
        FlagChecks.range("--num-samples", numSamples, 1, MAX_SAMPLES);
        engine.check();
    }

    private void endSample(PrintWriter w) {
        w.println();
        if (numSamples > 1) {
            w.println("---------------");
        }
        w.flush();
    }

    private Path checkpointDir() throws IOException {
        if (checkpoint != null) {
            return usable(checkpoint).orElseThrow(() -> new IOException(checkpoint + " is not a checkpoint: expected " + Checkpoint.WEIGHTS
                    + " there"));
        }
        for (String name : new String[] {Trainer.BEST_DIR, Trainer.LATEST_DIR}) {
            Optional<Path> found = usable(DEFAULT_RUN.resolve(name));
            if (found.isPresent()) {
                return found.get();
            }
        }
        throw new IOException("no checkpoint in " + DEFAULT_RUN + " (best/ or ckpt/): train one with `llmforge pretrain`, or pass --checkpoint DIR");
    }

    /** {@code dir} if it holds a model, else the previous checkpoint a write in progress (or killed) has moved aside, with a note. */
    private Optional<Path> usable(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve(Checkpoint.WEIGHTS))) {
            return Optional.of(dir);
        }
        Optional<Path> aside = Checkpoint.movedAside(dir, Checkpoint.WEIGHTS);
        aside.ifPresent(p -> {
            spec.commandLine().getErr().println("note: " + dir + " is being replaced (or its write was interrupted); using the previous "
                    + "checkpoint, " + p);
            spec.commandLine().getErr().flush();
        });
        return aside;
    }
}
