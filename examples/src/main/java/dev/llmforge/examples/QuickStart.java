package dev.llmforge.examples;

import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.optim.AdamW;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import dev.llmforge.tokenizer.CharTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Random;

/**
 * The smallest end-to-end use of the core API: a 2-layer GPT on the default backend (PyTorch via
 * DJL here), trained for a few AdamW steps on random windows of Tiny Shakespeare, printing the loss
 * as it falls. {@code dev.llmforge.training.Pretraining} does the same with schedules, evaluation and
 * checkpoints.
 *
 * <pre>
 * java -cp examples/target/llmforge.jar dev.llmforge.examples.QuickStart [steps]
 * </pre>
 */
public final class QuickStart {
    private QuickStart() {
    }

    public static void main(String[] args) throws IOException {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        String text;
        try (InputStream in = QuickStart.class.getResourceAsStream("/data/tinyshakespeare/input.txt")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(text);
        int[] ids = tokenizer.encode(text);

        Backend backend = Backends.get();
        int batch = 8;
        int block = 32;
        GptConfig config = GptConfig.gpt2(tokenizer.vocabSize(), block, 2, 2, 64); // 2 layers, 2 heads, width 64
        Random random = new Random(42);
        try (Gpt model = new Gpt(config, backend, 42);
             AdamW adamw = AdamW.builder(model.namedParameters()).lr(3e-3).weightDecay(0.1).build()) {
            System.out.printf(Locale.ROOT, "%s: GPT with %,d parameters, vocabulary %d%n", backend.name(), model.parameterCount(),
                    tokenizer.vocabSize());
            for (int step = 1; step <= steps; step++) {
                long[] x = new long[batch * block];
                long[] y = new long[batch * block];
                for (int b = 0; b < batch; b++) {
                    int start = random.nextInt(ids.length - block - 1);
                    for (int t = 0; t < block; t++) {
                        x[b * block + t] = ids[start + t];
                        y[b * block + t] = ids[start + t + 1]; // next-token targets
                    }
                }
                try (TensorScope ignored = TensorScope.open()) { // frees everything the step allocates
                    Tensor loss = model.loss(Tensor.on(backend).of(x, batch, block), Tensor.on(backend).of(y, batch, block));
                    loss.backward();
                    adamw.step();
                    adamw.zeroGrad();
                    if (step == 1 || step % 10 == 0) {
                        System.out.printf(Locale.ROOT, "step %3d  loss %.4f%n", step, loss.item());
                    }
                }
            }
        }
    }
}
