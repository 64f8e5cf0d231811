package dev.llmforge.training.data;

import dev.llmforge.tokenizer.BpeTokenizer;
import dev.llmforge.tokenizer.CharTokenizer;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.tokenizer.TokenizerFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A prepared dataset directory: {@code train.bin} and {@code val.bin} (memory-mapped token ids) and
 * the tokenizer that made them. Reads what {@link DatasetPreparer} writes and what nanoGPT's
 * {@code prepare.py} scripts write:
 * <ul>
 *   <li>{@code meta.json} + {@code tokenizer.json} (llmforge): width and vocabulary from there ({@code tokenizer.json}
 *       without {@code meta.json} is an interrupted preparation and refused);</li>
 *   <li>{@code meta.pkl} (nanoGPT, character level): uint16 ids, the characters of its {@code itos};</li>
 *   <li>neither (nanoGPT's GPT-2 BPE datasets such as shakespeare or openwebtext): uint16 ids of GPT-2's tokenizer.</li>
 * </ul>
 */
public final class TokenData {
    public static final String TRAIN_FILE = "train.bin";
    public static final String VAL_FILE = "val.bin";
    public static final String NANOGPT_META = "meta.pkl";

    private final Path directory;
    private final TokenDataset train;
    private final TokenDataset val;
    private final Tokenizer tokenizer;
    private final String origin;

    private TokenData(Path directory, TokenDataset train, TokenDataset val, Tokenizer tokenizer, String origin) {
        this.directory = directory;
        this.train = train;
        this.val = val;
        this.tokenizer = tokenizer;
        this.origin = origin;
    }

    /** True if {@code dir} holds a {@code train.bin} (prepared data of some kind). */
    public static boolean isPrepared(Path dir) {
        return Files.isRegularFile(dir.resolve(TRAIN_FILE));
    }

    /** Opens the prepared data in {@code dir}. */
    public static TokenData open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("data directory " + dir + " does not exist (prepare it with `llmforge prepare --out " + dir + "`)");
        }
        if (!isPrepared(dir)) {
            throw new IOException("no prepared data in " + dir + ": expected " + TRAIN_FILE + " and " + VAL_FILE
                    + " (prepare them with `llmforge prepare --out " + dir + "`)");
        }
        Path tokenizerFile = dir.resolve(TokenizerFiles.FILE_NAME);
        if (Files.isRegularFile(dir.resolve(DatasetMeta.FILE_NAME))) {
            DatasetMeta meta = DatasetMeta.read(dir);
            Tokenizer tokenizer = TokenizerFiles.load(tokenizerFile);
            if (tokenizer.vocabSize() != meta.vocabSize()) {
                throw new IOException(dir + ": meta.json says vocab_size " + meta.vocabSize() + " but tokenizer.json has "
                        + tokenizer.vocabSize() + " tokens");
            }
            TokenData data = open(dir, meta.width(), tokenizer, TokenizerFiles.describe(tokenizer));
            if (data.train.size() != meta.trainTokens() || data.val.size() != meta.valTokens()) {
                throw new IOException(dir + ": meta.json lists " + meta.trainTokens() + " train and " + meta.valTokens()
                        + " val tokens, the files hold " + data.train.size() + " and " + data.val.size() + " (truncated or replaced files?)");
            }
            return data;
        }
        if (Files.isRegularFile(tokenizerFile)) {
            throw new IOException(dir + " has " + TokenizerFiles.FILE_NAME + " but no " + DatasetMeta.FILE_NAME
                    + ": an interrupted `llmforge prepare`? Prepare the data again");
        }
        if (Files.isRegularFile(dir.resolve(NANOGPT_META))) {
            NanoGptMeta meta = NanoGptMeta.read(dir.resolve(NANOGPT_META));
            return open(dir, TokenWidth.UINT16, charTokenizer(meta, dir), "nanoGPT meta.pkl: char tokenizer, " + meta.vocabSize() + " tokens");
        }
        return open(dir, TokenWidth.UINT16, BpeTokenizer.gpt2(), "nanoGPT data without meta.pkl: GPT-2 BPE tokenizer, 50,257 tokens");
    }

    /** Opens both token files and checks every id against the tokenizer's vocabulary. */
    private static TokenData open(Path dir, TokenWidth width, Tokenizer tokenizer, String origin) throws IOException {
        TokenDataset train = TokenDataset.open(dir.resolve(TRAIN_FILE), width);
        TokenDataset val = TokenDataset.open(dir.resolve(VAL_FILE), width);
        train.requireIdsBelow(tokenizer.vocabSize());
        val.requireIdsBelow(tokenizer.vocabSize());
        return new TokenData(dir, train, val, tokenizer, origin);
    }

    /** nanoGPT's {@code itos} as a {@link CharTokenizer}: the ids agree only if the characters are in code point order, as nanoGPT sorts them. */
    static CharTokenizer charTokenizer(NanoGptMeta meta, Path dir) throws IOException {
        StringBuilder all = new StringBuilder();
        for (String s : meta.itos()) {
            if (s.codePointCount(0, s.length()) != 1) {
                throw new IOException(dir.resolve(NANOGPT_META) + ": itos entries must be single characters, found \"" + s + "\"");
            }
            all.append(s);
        }
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(all.toString());
        if (!tokenizer.characters().equals(meta.itos())) {
            throw new IOException(dir.resolve(NANOGPT_META) + ": itos is not a list of distinct characters in code point order "
                    + "(as nanoGPT's prepare.py makes it), so its ids cannot be reproduced");
        }
        return tokenizer;
    }

    public Path directory() {
        return directory;
    }

    public TokenDataset train() {
        return train;
    }

    public TokenDataset val() {
        return val;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public int vocabSize() {
        return tokenizer.vocabSize();
    }

    /** Where the tokenizer came from, for logs. */
    public String describe() {
        return String.format(Locale.ROOT, "%s (%s; %,d train / %,d val tokens)", directory, origin, train.size(), val.size());
    }
}
