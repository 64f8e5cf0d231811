package dev.llmforge.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.generate.GenerationConfig;
import dev.llmforge.generate.Generator;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One loaded model, eight threads generating with it through one {@link Generator}: each result is
 * the one its seed gives alone (the model stays in evaluation mode while any thread generates), and
 * the model cannot be closed or set to training under them.
 */
public abstract class ConcurrentGenerationContract extends BackendContract {
    private static final int THREADS = 8;

    /** Dropout 0.5 and training mode: a generation that ran with dropout on would give other tokens. */
    private Gpt model() {
        GptConfig cfg = GptConfig.gpt2(11, 8, 2, 2, 16).toBuilder().ffnHidden(32).initStd(0.5).dropout(0.5).build();
        Gpt model = new Gpt(cfg, backend(), 17);
        model.train();
        return model;
    }

    private static GenerationConfig sampling(int seed) {
        return GenerationConfig.builder().maxNewTokens(12).temperature(1.0).seed(seed).build();
    }

    @Test
    void eightThreadsOnOneModelEachGetWhatTheirSeedGivesAlone() throws Exception {
        int[] prompt = {1, 2, 3};
        try (Gpt model = model(); Generator generator = new Generator(model)) {
            List<int[]> alone = new ArrayList<>();
            for (int seed = 0; seed < THREADS; seed++) {
                alone.add(generator.generate(prompt, sampling(seed)).tokens());
            }
            assertTrue(model.isTraining(), "the mode before generating is restored");
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<List<int[]>>> runs = new ArrayList<>();
                for (int seed = 0; seed < THREADS; seed++) {
                    int s = seed;
                    runs.add(pool.submit(() -> {
                        start.await();
                        List<int[]> out = new ArrayList<>();
                        for (int repeat = 0; repeat < 6; repeat++) {
                            out.add(generator.generate(prompt, sampling(s)).tokens());
                        }
                        return out;
                    }));
                }
                start.countDown();
                for (int seed = 0; seed < THREADS; seed++) {
                    for (int[] tokens : runs.get(seed).get(2, TimeUnit.MINUTES)) {
                        assertArrayEquals(alone.get(seed), tokens, "seed " + seed + " on 8 threads at once");
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            assertTrue(model.isTraining(), "the last generation to end restores training mode");
        }
    }

    @Test
    void theModelCannotBeClosedOrTrainedWhileAThreadGenerates() throws Exception {
        Gpt model = model();
        Generator generator = new Generator(model);
        CountDownLatch generating = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread t = new Thread(() -> generator.generate(new int[] {1}, sampling(1), (row, token) -> {
            generating.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        t.start();
        assertTrue(generating.await(1, TimeUnit.MINUTES));
        var close = assertThrows(IllegalStateException.class, model::close);
        assertTrue(close.getMessage().contains("1 thread(s) are generating with it"), close.getMessage());
        var train = assertThrows(IllegalStateException.class, model::train);
        assertTrue(train.getMessage().contains("training mode would turn dropout on"), train.getMessage());
        assertFalse(model.isTraining(), "evaluation mode while generating");
        release.countDown();
        t.join();
        generator.close();
        model.close();
        var after = assertThrows(IllegalStateException.class, () -> generator.generate(new int[] {1}, sampling(1)));
        assertTrue(after.getMessage().contains("is closed"), after.getMessage());
    }
}
