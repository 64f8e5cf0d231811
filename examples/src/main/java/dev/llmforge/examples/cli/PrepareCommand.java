package dev.llmforge.examples.cli;

import dev.llmforge.training.OutputDirectoryException;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingCheckpoint;
import dev.llmforge.training.data.DatasetPreparer;
import dev.llmforge.training.data.TokenData;
import dev.llmforge.tokenizer.TokenizerFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code llmforge prepare}: encodes a text file once into nanoGPT-compatible token files. */
@Command(name = "prepare", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Encode a text file into token files (nanoGPT format).",
        description = {"Encode a text file once into token files: train.bin and val.bin (uint16 ids as nanoGPT's, uint32 above "
                + "65,536 tokens; first 90%% of the text train, last 10%% validation), tokenizer.json, meta.json, and nanoGPT's "
                + "meta.pkl for character-level data. nanoGPT's train.py reads the directory as it is, and `llmforge pretrain "
                + "--data DIR` reads directories nanoGPT prepared."},
        footer = {"", "Examples:", "  llmforge prepare                      # Tiny Shakespeare -> out/shakespeare-char",
                "  llmforge prepare --tokenizer gpt2     # -> out/shakespeare-gpt2",
                "  llmforge prepare --input notes.txt --tokenizer bpe:4096 --out data/notes"})
final class PrepareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--input", paramLabel = "FILE", description = "UTF-8 text to encode (default: Tiny Shakespeare, bundled)")
    Path input;

    @Option(names = "--tokenizer", paramLabel = "char|gpt2|bpe:N[:digits]", defaultValue = "char",
            description = "char: one id per distinct character (nanoGPT's shakespeare_char); gpt2: GPT-2's BPE; "
                    + "bpe:N: a byte-level BPE of N tokens learned from the training part; bpe:N:digits: the same with every "
                    + "digit a token of its own, as LLaMA splits digits (default: ${DEFAULT-VALUE})")
    String tokenizer;

    @Option(names = "--out", paramLabel = "DIR", description = "output directory (default: out/<input name>-<tokenizer>, e.g. out/shakespeare-char)")
    Path out;

    @Option(names = "--train-fraction", paramLabel = "F", defaultValue = "0.9",
            description = "share of the text (in characters) used for training; the rest is validation (default: ${DEFAULT-VALUE})")
    double trainFraction;

    @Option(names = "--overwrite", description = "replace data in a directory that also holds checkpoints trained on it")
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        Corpus corpus = Corpus.of(input);
        Path dir = out != null ? out : corpus.defaultOutput(tokenizer);
        prepare(corpus, tokenizer, dir, trainFraction, overwrite, w);
        return 0;
    }

    /** Prepares {@code corpus} into {@code dir}, refusing to replace the data of existing checkpoints unless {@code overwrite}. */
    static TokenData prepare(Corpus corpus, String tokenizer, Path dir, double trainFraction, boolean overwrite, PrintWriter w)
            throws java.io.IOException {
        if (!overwrite && TokenData.isPrepared(dir) && TrainingCheckpoint.exists(dir.resolve(Trainer.LATEST_DIR))) {
            throw new OutputDirectoryException(dir + " holds checkpoints trained on its current data: choose another --out, or pass "
                    + "--overwrite to replace the data (the checkpoints will no longer match it)");
        }
        w.printf(Locale.ROOT, "encoding %s (%,d characters) with tokenizer %s%n", corpus.name(), corpus.text().length(), tokenizer);
        w.flush();
        long start = System.nanoTime();
        TokenData data = DatasetPreparer.prepare(corpus.text(), tokenizer, dir, trainFraction, corpus.name());
        w.printf(Locale.ROOT, "%s: %,d train and %,d val tokens (%s), %.1f s%n", dir, data.train().size(), data.val().size(),
                TokenizerFiles.describe(data.tokenizer()), (System.nanoTime() - start) / 1e9);
        w.flush();
        return data;
    }
}
