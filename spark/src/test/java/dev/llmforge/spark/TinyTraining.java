package dev.llmforge.spark;

import dev.llmforge.distributed.Collective;
import dev.llmforge.distributed.DataParallel;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.optim.AdamW;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import dev.llmforge.training.data.Batch;
import dev.llmforge.training.data.WindowSource;
import dev.llmforge.training.data.Rng;
import dev.llmforge.training.data.TokenDataset;
import dev.llmforge.training.data.TokenWidth;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A small hand-written training loop (core's Gpt and AdamW on the reference backend) run on one machine
 * or as one replica of a data-parallel run; {@link TrainerOnSparkTest} runs the same comparison through the Trainer.
 */
final class TinyTraining {
    static final int GLOBAL_BATCH = 8;
    static final int BLOCK = 8;
    private static final int VOCAB = 16;
    private static final long MODEL_SEED = 5;
    private static final long DATA_SEED = 1337;

    private TinyTraining() {
    }

    /** Writes 4,000 token ids with some structure to learn (a noisy counter) and returns the file's path. */
    static String writeTokens(Path dir) throws IOException {
        Rng rng = new Rng(7);
        int[] ids = new int[4000];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rng.nextDouble() < 0.8 ? i % VOCAB : (int) rng.nextLong(VOCAB);
        }
        Path file = dir.resolve("train.bin");
        TokenDataset.write(file, ids, TokenWidth.UINT16);
        return file.toString();
    }

    /**
     * Trains for {@code steps} AdamW steps and returns every parameter element (in
     * {@code namedParameters()} order) after each step. With a collective, this replica's rows of each
     * global batch and averaged gradients; without, the whole global batch on one machine.
     */
    static float[][] train(String tokens, int steps, Collective collective) throws IOException {
        Backend backend = Backends.get("reference");
        TokenDataset data = TokenDataset.open(Path.of(tokens), TokenWidth.UINT16);
        WindowSource batches = collective == null
                ? new WindowSource(data, GLOBAL_BATCH, BLOCK, new Rng(DATA_SEED))
                : WindowSource.replicaShare(data, GLOBAL_BATCH, BLOCK, new Rng(DATA_SEED), collective.rank(), collective.size());
        float[][] afterStep = new float[steps][];
        // nanoGPT's learning rate for its Shakespeare run. Adam divides each gradient by its own scale, so elements whose
        // gradient is zero but for rounding (the attention's key bias: softmax ignores a shift shared by all keys) move by
        // a fraction of the learning rate either way; the 1e-5 agreement is for a learning rate of this size.
        try (Gpt model = new Gpt(GptConfig.gpt2(VOCAB, BLOCK, 2, 2, 16), backend, MODEL_SEED);
                AdamW adamw = AdamW.builder(model.namedParameters()).lr(1e-3).weightDecay(0.1).build()) {
            DataParallel dp = collective == null ? null : new DataParallel(collective, model.namedParameters());
            if (dp != null) {
                dp.broadcastParameters();
            }
            for (int step = 0; step < steps; step++) {
                try (TensorScope ignored = TensorScope.open()) {
                    Batch batch = batches.next();
                    Tensor x = Tensor.on(backend).of(batch.longs(Batch.IDS), batch.shape(Batch.IDS));
                    Tensor y = Tensor.on(backend).of(batch.longs(Batch.TARGETS), batch.shape(Batch.TARGETS));
                    model.loss(x, y).backward();
                    if (dp != null) {
                        dp.averageGradients();
                    }
                    adamw.step();
                    adamw.zeroGrad();
                }
                afterStep[step] = flatten(model);
            }
        }
        return afterStep;
    }

    private static float[] flatten(Gpt model) {
        int n = Math.toIntExact(model.parameterCount());
        float[] out = new float[n];
        int at = 0;
        for (Tensor p : model.namedParameters().values()) {
            float[] v = p.toFloatArray();
            System.arraycopy(v, 0, out, at, v.length);
            at += v.length;
        }
        return out;
    }
}
