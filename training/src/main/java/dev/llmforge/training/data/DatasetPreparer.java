package dev.llmforge.training.data;

import dev.llmforge.tokenizer.CharTokenizer;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.tokenizer.TokenizerFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Encodes a text corpus once into token files, nanoGPT style: the first {@code trainFraction} of the
 * characters (Python's {@code data[:int(n * 0.9)]}) become {@code train.bin}, the rest {@code val.bin},
 * each encoded separately; ids are uint16 when the vocabulary allows (uint32 otherwise). Writes
 * {@code tokenizer.json}, {@code meta.json}, and for character-level data nanoGPT's {@code meta.pkl},
 * so nanoGPT's {@code train.py} and {@code sample.py} can use the directory as it is.
 */
public final class DatasetPreparer {
    /** nanoGPT's split: 90% train, 10% validation. */
    public static final double NANOGPT_TRAIN_FRACTION = 0.9;

    private DatasetPreparer() {
    }

    /**
     * Prepares {@code text} with the tokenizer named by {@code tokenizerSpec} ({@code char}: the
     * characters of the whole text, as nanoGPT; {@code gpt2}; {@code bpe:N}: learned from the
     * training part only).
     */
    public static TokenData prepare(String text, String tokenizerSpec, Path dir, double trainFraction, String source) throws IOException {
        int split = splitIndex(text, trainFraction);
        boolean learnsFromText = tokenizerSpec.trim().toLowerCase(Locale.ROOT).startsWith("bpe:");
        Tokenizer tokenizer = TokenizerFiles.fromSpec(tokenizerSpec, learnsFromText ? text.substring(0, split) : text);
        return prepare(text, tokenizer, dir, trainFraction, source);
    }

    /** Prepares {@code text} with a given tokenizer. */
    public static TokenData prepare(String text, Tokenizer tokenizer, Path dir, double trainFraction, String source) throws IOException {
        int split = splitIndex(text, trainFraction);
        int[] train = tokenizer.encode(text.substring(0, split));
        int[] val = tokenizer.encode(text.substring(split));
        if (train.length == 0 || val.length == 0) {
            throw new IllegalArgumentException("text of " + text.length() + " characters gives " + train.length + " train and " + val.length
                    + " val tokens at train fraction " + trainFraction + ": both parts need tokens");
        }
        TokenWidth width = TokenWidth.forVocab(tokenizer.vocabSize());
        Files.createDirectories(dir);
        // meta.json goes first and comes back last, tokenizer.json is written before the ids: a preparation
        // interrupted halfway leaves tokenizer.json without meta.json, which TokenData refuses to open
        Files.deleteIfExists(dir.resolve(DatasetMeta.FILE_NAME));
        TokenizerFiles.save(tokenizer, dir.resolve(TokenizerFiles.FILE_NAME));
        TokenDataset.write(dir.resolve(TokenData.TRAIN_FILE), train, width);
        TokenDataset.write(dir.resolve(TokenData.VAL_FILE), val, width);
        if (tokenizer instanceof CharTokenizer chars && tokenizer.specialTokens().asMap().isEmpty()) {
            new NanoGptMeta(chars.vocabSize(), chars.characters()).write(dir.resolve(TokenData.NANOGPT_META));
        } else {
            Files.deleteIfExists(dir.resolve(TokenData.NANOGPT_META)); // a stale char meta.pkl would mislead nanoGPT
        }
        new DatasetMeta(width, tokenizer.vocabSize(), TokenizerFiles.describe(tokenizer), train.length, val.length, trainFraction, source)
                .write(dir);
        return TokenData.open(dir);
    }

    /** The char index where validation starts: {@code int(n * trainFraction)} counted in code points, as Python counts. */
    static int splitIndex(String text, double trainFraction) {
        if (!(trainFraction > 0 && trainFraction < 1)) {
            throw new IllegalArgumentException("train fraction must be in (0, 1), got " + trainFraction);
        }
        int codePoints = text.codePointCount(0, text.length());
        return text.offsetByCodePoints(0, (int) (codePoints * trainFraction));
    }
}
