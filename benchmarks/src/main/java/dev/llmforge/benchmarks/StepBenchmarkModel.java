package dev.llmforge.benchmarks;

import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.optim.AdamW;
import dev.llmforge.spi.Backend;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The model and data the training-step benchmarks share (TensorFlow and ND4J against DJL): a GPT of 4
 * layers, 4 heads and width 128, block 64, batch 12, vocabulary 65, with AdamW, on random token ids.
 */
public final class StepBenchmarkModel {
    public static final int BATCH = 12;
    public static final int BLOCK = 64;
    public static final int VOCAB = 65;

    private StepBenchmarkModel() {
    }

    /** The model on {@code backend}, seeded alike on every backend, in training mode. */
    public static Gpt gpt(Backend backend) {
        GptConfig config = GptConfig.builder().vocabSize(VOCAB).blockSize(BLOCK).nLayer(4).nHead(4).nEmbd(128).dropout(0).build();
        Gpt model = new Gpt(config, backend, 1337);
        model.train();
        return model;
    }

    public static AdamW adamw(Gpt model) {
        return AdamW.builder(model.namedParameters()).lr(1e-3).weightDecay(0.1).build();
    }

    /** {@code count} batches (x, y) of random token ids, the same in every run: speed does not depend on the text. */
    public static List<long[][]> batches(int count) {
        SplittableRandom r = new SplittableRandom(42);
        List<long[][]> out = new ArrayList<>(count);
        for (int b = 0; b < count; b++) {
            long[] x = new long[BATCH * BLOCK];
            long[] y = new long[BATCH * BLOCK];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextInt(VOCAB);
                y[i] = r.nextInt(VOCAB);
            }
            out.add(new long[][] {x, y});
        }
        return out;
    }

    /** The median of step times (the mean of the middle two for an even count). */
    public static double median(List<Double> values) {
        double[] m = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return m.length % 2 == 1 ? m[m.length / 2] : (m[m.length / 2 - 1] + m[m.length / 2]) / 2;
    }
}
