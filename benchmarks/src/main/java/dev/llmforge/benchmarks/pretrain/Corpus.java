package dev.llmforge.benchmarks.pretrain;

import dev.llmforge.training.data.DatasetPreparer;
import dev.llmforge.training.data.TokenData;
import dev.llmforge.training.data.TokenDataset;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * The Tiny Shakespeare data of the benchmark runs, prepared once by the training module's
 * {@link DatasetPreparer} — with the character tokenizer as nanoGPT's
 * {@code data/shakespeare_char/prepare.py} does (sorted characters as the vocabulary), or with
 * GPT-2's — the first 90% of the text for training, the rest for validation; every run, llmforge's,
 * the baseline's and nanoGPT's, reads the same prepared directory. The baseline draws its batches
 * here, as nanoGPT's {@code get_batch}: B windows at uniformly random offsets, targets shifted by one.
 */
public final class Corpus {
    private final int vocab;
    private final int[] train;
    private final int[] val;

    private Corpus(int vocab, int[] train, int[] val) {
        this.vocab = vocab;
        this.train = train;
        this.val = val;
    }

    /** Prepares {@code text} (Tiny Shakespeare's input.txt) into {@code dir} with {@code tokenizer} ({@code char}, {@code gpt2}). */
    public static TokenData prepare(Path text, String tokenizer, Path dir) throws IOException {
        if (!Files.isRegularFile(text)) {
            throw new IOException("corpus " + text.toAbsolutePath() + " not found (pass --data PATH to Tiny Shakespeare's input.txt)");
        }
        return DatasetPreparer.prepare(Files.readString(text, StandardCharsets.UTF_8), tokenizer, dir, DatasetPreparer.NANOGPT_TRAIN_FRACTION,
                text.getFileName().toString());
    }

    /** The token ids of prepared data, in memory. */
    static Corpus of(TokenData data) {
        return new Corpus(data.vocabSize(), ids(data.train()), ids(data.val()));
    }

    private static int[] ids(TokenDataset d) {
        int[] out = new int[Math.toIntExact(d.size())];
        for (int i = 0; i < out.length; i++) {
            out[i] = d.get(i);
        }
        return out;
    }

    int vocab() {
        return vocab;
    }

    /** A seeded stream of (x, y) batches from one split, each (batch, block) row-major. */
    Sampler sampler(boolean trainSplit, int batch, int block, long seed) {
        return new Sampler(trainSplit ? train : val, batch, block, new SplittableRandom(seed));
    }

    /** Random windows of one split. */
    static final class Sampler {
        private final int[] data;
        private final int batch;
        private final int block;
        private final SplittableRandom random;

        private Sampler(int[] data, int batch, int block, SplittableRandom random) {
            this.data = data;
            this.batch = batch;
            this.block = block;
            this.random = random;
        }

        /** {x, y}: inputs and next-character targets. */
        long[][] next() {
            long[] x = new long[batch * block];
            long[] y = new long[batch * block];
            for (int b = 0; b < batch; b++) {
                int start = random.nextInt(data.length - block);
                for (int t = 0; t < block; t++) {
                    x[b * block + t] = data[start + t];
                    y[b * block + t] = data[start + t + 1];
                }
            }
            return new long[][] {x, y};
        }
    }
}
