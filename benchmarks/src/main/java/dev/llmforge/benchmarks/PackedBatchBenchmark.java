package dev.llmforge.benchmarks;

import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.nn.Segments;
import dev.llmforge.nn.functional.F;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import java.util.Locale;
import java.util.Random;

/**
 * What a packed batch costs per training step: forward + backward of a GPT-2-style model (2 layers, 4 heads, width
 * 128, context 256, vocabulary 1,024: the model of the alignment README's packing measurement) on a batch of 8 rows,
 * (a) plain causal over 256 positions (DJL: the fused flash-attention kernel, which applies from 256 positions),
 * (b) plain causal over 255 positions (the composed attention), (c) packed rows of 256 with four records of 64 each
 * ({@link Segments}: a block-diagonal mask, positions per record, the composed masked attention). The three alternate
 * within each round; the first round warms up and is not printed.
 *
 * <pre>
 * java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" dev.llmforge.benchmarks.PackedBatchBenchmark [backend] [rounds] [steps]
 * </pre>
 */
public final class PackedBatchBenchmark {
    private static final int ROWS = 8;
    private static final int RECORD = 64;

    private PackedBatchBenchmark() {
    }

    public static void main(String[] args) {
        Backend backend = Backends.get(args.length > 0 ? args[0] : "djl");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        TensorFactory f = Tensor.on(backend);
        try (Gpt model = new Gpt(GptConfig.gpt2(1024, 256, 2, 4, 128), backend, 1)) {
            model.train();
            for (int round = 0; round <= rounds; round++) {
                for (String mode : new String[] {"causal, 256 positions", "causal, 255 positions", "packed, 256 positions"}) {
                    int t = mode.contains("255") ? 255 : 256;
                    boolean packed = mode.startsWith("packed");
                    Random random = new Random(round);
                    long[] ids = new long[ROWS * t];
                    long[] segments = new long[ROWS * t];
                    for (int i = 0; i < ids.length; i++) {
                        ids[i] = random.nextInt(1024);
                        segments[i] = 1 + (i % t) / RECORD;
                    }
                    long start = System.nanoTime();
                    for (int s = 0; s < steps; s++) {
                        try (TensorScope ignored = TensorScope.open()) {
                            Tensor x = f.of(ids, ROWS, t);
                            Tensor loss = packed ? model.forward(x, Segments.of(segments, ROWS, t), x, F.IGNORE_INDEX).loss()
                                    : model.forward(x, x, F.IGNORE_INDEX).loss();
                            loss.backward();
                            loss.item();
                            model.zeroGrad();
                        }
                    }
                    if (round > 0) {
                        System.out.printf(Locale.ROOT, "round %d  %-22s %8.1f ms per forward + backward on %s%n", round, mode,
                                (System.nanoTime() - start) / 1e6 / steps, backend.name());
                    }
                }
            }
        }
    }
}
