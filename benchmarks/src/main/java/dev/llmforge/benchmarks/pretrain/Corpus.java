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
 * The character-level Tiny Shakespeare data of the reference run, prepared once as nanoGPT's
 * {@code data/shakespeare_char/prepare.py} does (sorted characters as the vocabulary, the first 90%
 * of the text for training, the rest for validation) by the training module's
 * {@link DatasetPreparer}; every run, llmforge's and the baseline's, reads the same prepared
 * directory. The baseline draws its batches here, as nanoGPT's {@code get_batch}: B windows at
 * uniformly random offsets, targets shifted by one.
 */
final class CharCorpus {
    private final int vocab;
    private final short[] train;
    private final short[] val;

    private CharCorpus(int vocab, short[] train, short[] val) {
        this.vocab = vocab;
        this.train = train;
        this.val = val;
    }

    /** Prepares {@code text} (Tiny Shakespeare's input.txt) into {@code dir}. */
    static TokenData prepare(Path text, Path dir) throws IOException {
        if (!Files.isRegularFile(text)) {
            throw new IOException("corpus " + text.toAbsolutePath() + " not found (pass --data PATH to Tiny Shakespeare's input.txt)");
        }
        return DatasetPreparer.prepare(Files.readString(text, StandardCharsets.UTF_8), "char", dir, DatasetPreparer.NANOGPT_TRAIN_FRACTION,
                text.getFileName().toString());
    }

    /** The token ids of prepared data, in memory. */
    static CharCorpus of(TokenData data) {
        return new CharCorpus(data.vocabSize(), ids(data.train()), ids(data.val()));
    }

    private static short[] ids(TokenDataset d) {
        short[] out = new short[Math.toIntExact(d.size())];
        for (int i = 0; i < out.length; i++) {
            out[i] = (short) d.get(i);
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
        private final short[] data;
        private final int batch;
        private final int block;
        private final SplittableRandom random;

        private Sampler(short[] data, int batch, int block, SplittableRandom random) {
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
