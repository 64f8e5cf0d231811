package dev.llmforge.generate;

import static dev.llmforge.model.TinyModels.reference;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.model.TinyModels;
import dev.llmforge.model.TokenLogProbs;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GeneratorTest {
    /** Token i prints as the letter 'a' + i. */
    private static final TokenDecoder LETTERS = ids -> {
        StringBuilder s = new StringBuilder();
        for (int id : ids) {
            s.append((char) ('a' + id));
        }
        return s.toString();
    };

    private Gpt model;
    private Generator generator;

    @BeforeEach
    void build() {
        // width 16 and init std 0.5 give a peaked, varied next-token distribution
        GptConfig cfg = TinyModels.gpt2().toBuilder().nEmbd(16).ffnHidden(32).initStd(0.5).build();
        model = new Gpt(cfg, reference(), 17);
        generator = new Generator(model, LETTERS);
    }

    @AfterEach
    void close() {
        generator.close();
        model.close();
    }

    @Test
    void greedyPicksTheArgmaxOfTheFullRecomputationEachStep() {
        int[] prompt = {1, 2};
        GenerationResult r = generator.generate(prompt, GenerationConfig.greedy(5));
        List<Long> context = new ArrayList<>(List.of(1L, 2L));
        for (int i = 0; i < 5; i++) {
            try (TensorScope ignored = TensorScope.open()) {
                long[] ids = context.stream().mapToLong(Long::longValue).toArray();
                float[] logits = model.nextTokenLogits(TinyModels.ids(1, ids.length, ids), null).toFloatArray();
                int best = 0;
                for (int v = 1; v < logits.length; v++) {
                    best = logits[v] > logits[best] ? v : best;
                }
                assertEquals(best, r.tokens()[i], "token " + i);
                context.add((long) best);
            }
        }
        assertEquals(StopReason.MAX_TOKENS, r.reason());
        assertEquals(LETTERS.decode(r.tokens()), r.text());
        assertArrayEquals(new int[] {1, 2, r.tokens()[0], r.tokens()[1], r.tokens()[2], r.tokens()[3], r.tokens()[4]}, r.allTokens());
    }

    @Test
    void cacheAndRecomputationGenerateTheSameTokens() {
        int[] prompt = {3, 1, 4};
        GenerationConfig sampled = GenerationConfig.builder().maxNewTokens(5).temperature(0.8).seed(5).build();
        assertArrayEquals(generator.generate(prompt, sampled).tokens(),
                generator.generate(prompt, sampled.toBuilder().useCache(false).build()).tokens());
    }

    @Test
    void samplingIsSeeded() {
        int[] prompt = {0};
        GenerationConfig cfg = GenerationConfig.builder().maxNewTokens(7).temperature(2).seed(42).build();
        int[] a = generator.generate(prompt, cfg).tokens();
        assertArrayEquals(a, generator.generate(prompt, cfg).tokens(), "same seed, same tokens");
        boolean anyDiffers = false;
        for (long seed = 43; seed < 48 && !anyDiffers; seed++) {
            anyDiffers = !Arrays.equals(a, generator.generate(prompt, cfg.toBuilder().seed(seed).build()).tokens());
        }
        assertTrue(anyDiffers, "other seeds give other samples");
    }

    @Test
    void topKOfOneAndATinyTopPAreGreedy() {
        int[] prompt = {5, 6};
        int[] greedy = generator.generate(prompt, GenerationConfig.greedy(6)).tokens();
        GenerationConfig hot = GenerationConfig.builder().maxNewTokens(6).temperature(5).seed(1).build();
        assertArrayEquals(greedy, generator.generate(prompt, hot.toBuilder().topK(1).build()).tokens());
        assertArrayEquals(greedy, generator.generate(prompt, hot.toBuilder().topP(1e-9).build()).tokens());
    }

    @Test
    void stopTokenEndsTheSequenceWithoutBeingOutput() {
        int[] prompt = {2};
        int[] greedy = generator.generate(prompt, GenerationConfig.greedy(6)).tokens();
        int stop = greedy[2];
        int firstStop = 0;
        while (greedy[firstStop] != stop) {
            firstStop++;
        }
        GenerationResult r = generator.generate(prompt, GenerationConfig.greedy(6).toBuilder().stopTokenIds(Set.of(stop)).build());
        assertEquals(StopReason.STOP_TOKEN, r.reason());
        assertArrayEquals(Arrays.copyOf(greedy, firstStop), r.tokens());
    }

    @Test
    void stopStringEndsTheSequenceAndCutsTheText() {
        int[] prompt = {2};
        GenerationResult full = generator.generate(prompt, GenerationConfig.greedy(8));
        String stop = full.text().substring(3, 5); // two letters that appear from the fourth token on
        int at = full.text().indexOf(stop);
        GenerationResult r = generator.generate(prompt, GenerationConfig.greedy(8).toBuilder().stopStrings(List.of(stop, "zzz")).build());
        assertEquals(StopReason.STOP_STRING, r.reason());
        assertEquals(full.text().substring(0, at), r.text());
        assertArrayEquals(Arrays.copyOf(full.tokens(), at + 2), r.tokens(), "tokens up to the one completing the stop string");
        assertThrows(IllegalArgumentException.class,
                () -> new Generator(model).generate(prompt, GenerationConfig.greedy(3).toBuilder().stopStrings(List.of("x")).build()));
    }

    @Test
    void aBatchGivesEachPromptItsOwnResultAndStreamsEveryToken() {
        List<int[]> prompts = List.of(new int[] {1, 2}, new int[] {3}, new int[] {4, 5}, new int[] {6, 7, 8});
        GenerationConfig cfg = GenerationConfig.builder().maxNewTokens(4).temperature(1).topK(5).seed(9).build();
        List<List<Integer>> streamed = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            streamed.add(new ArrayList<>());
        }
        List<GenerationResult> batch = generator.generate(prompts, cfg, (i, token) -> streamed.get(i).add(token));
        for (int i = 0; i < prompts.size(); i++) {
            // each prompt samples from stream i of the seed: alone it is stream 0, so compare through a one-prompt batch at index i
            List<int[]> alone = new ArrayList<>();
            for (int j = 0; j <= i; j++) {
                alone.add(prompts.get(i));
            }
            GenerationResult single = generator.generate(alone, cfg, null).get(i);
            assertArrayEquals(single.tokens(), batch.get(i).tokens(), "prompt " + i);
            assertArrayEquals(prompts.get(i), batch.get(i).prompt());
            assertEquals(batch.get(i).tokens().length, streamed.get(i).size());
            for (int k = 0; k < streamed.get(i).size(); k++) {
                assertEquals(batch.get(i).tokens()[k], streamed.get(i).get(k));
            }
        }
    }

    @Test
    void greedyBatchRowsEqualSingleRuns() {
        List<int[]> prompts = List.of(new int[] {1, 2, 3}, new int[] {9, 8, 7}, new int[] {4, 4, 4});
        List<GenerationResult> batch = generator.generate(prompts, GenerationConfig.greedy(5), null);
        for (int i = 0; i < prompts.size(); i++) {
            assertArrayEquals(generator.generate(prompts.get(i), GenerationConfig.greedy(5)).tokens(), batch.get(i).tokens());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void mixedLengthPromptsGenerateGreedilyAsEachAloneForBothFamilies(boolean cache) {
        List<int[]> prompts = List.of(new int[] {1}, new int[] {9, 8, 7, 6}, new int[] {4, 2});
        GenerationConfig greedy = GenerationConfig.greedy(4).toBuilder().useCache(cache).build();
        for (GptConfig cfg : List.of(TinyModels.gpt2().toBuilder().initStd(0.5).build(), TinyModels.llama().toBuilder().initStd(0.5).build())) {
            try (Gpt m = new Gpt(cfg, reference(), 23); Generator g = new Generator(m)) {
                List<GenerationResult> batch = g.generate(prompts, greedy, null);
                for (int i = 0; i < prompts.size(); i++) {
                    GenerationResult alone = g.generate(prompts.get(i), greedy);
                    assertArrayEquals(alone.tokens(), batch.get(i).tokens(), cfg.positions() + " prompt " + i);
                    assertArrayEquals(alone.logProbs(), batch.get(i).logProbs(), 1e-5f);
                }
            }
        }
    }

    @Test
    void eachRowOfAMixedBatchStopsOnItsOwnAsAlone() {
        List<int[]> prompts = List.of(new int[] {1}, new int[] {9, 8, 7}, new int[] {4, 2});
        int[] first = generator.generate(prompts.get(0), GenerationConfig.greedy(5)).tokens();
        String text = LETTERS.decode(first);
        List<GenerationConfig> stops = List.of(GenerationConfig.greedy(5).toBuilder().stopTokenIds(Set.of(first[1])).build(),
                GenerationConfig.greedy(5).toBuilder().stopStrings(List.of(text.substring(1, 3))).build());
        for (GenerationConfig cfg : stops) {
            List<GenerationResult> batch = generator.generate(prompts, cfg, null);
            assertTrue(batch.get(0).reason() != StopReason.MAX_TOKENS, "row 0 stops early: " + batch.get(0));
            for (int i = 0; i < prompts.size(); i++) {
                GenerationResult alone = generator.generate(prompts.get(i), cfg);
                assertArrayEquals(alone.completion(), batch.get(i).completion(), "prompt " + i + ", " + cfg);
                assertEquals(alone.reason(), batch.get(i).reason());
                assertEquals(alone.text(), batch.get(i).text());
            }
        }
    }

    @Test
    void aSampledRowDoesNotDependOnItsCompanions() {
        int[] prompt = {3, 1, 4};
        GenerationConfig cfg = GenerationConfig.sampling(1.3, 5).toBuilder().seed(77).build();
        // within the context of 8 (the longest prompt plus 5 new tokens fits), with the cache
        List<List<int[]>> batches = List.of(List.of(prompt, new int[] {2}), List.of(prompt, new int[] {5, 6, 7}, new int[] {0, 0}));
        // past it without the cache: each row reads its own last 8 tokens
        List<List<int[]>> uncachedBatches = List.of(List.of(prompt, new int[] {5, 6, 7, 8, 9, 1}));
        for (boolean cache : new boolean[] {true, false}) {
            GenerationConfig run = cfg.toBuilder().useCache(cache).build();
            GenerationResult alone = generator.generate(prompt, run);
            for (List<int[]> batch : cache ? batches : uncachedBatches) {
                GenerationResult first = generator.generate(batch, run, null).get(0);
                String what = (cache ? "cache" : "no cache") + ", companions of lengths " + batch.stream().map(p -> p.length).toList();
                assertArrayEquals(alone.tokens(), first.tokens(), what);
                assertArrayEquals(alone.logProbs(), first.logProbs(), 1e-5f, what);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {6, 12})
    void copiesOfAPromptPrefilledOnceGenerateWhatRepeatingThePromptDoes(int newTokens) {
        // 12 new tokens go past the context of 8: the cache restarts with every row
        List<int[]> prompts = List.of(new int[] {3, 1, 4}, new int[] {2}, new int[] {5, 6, 7, 8});
        int copies = 3;
        List<int[]> repeated = new ArrayList<>();
        for (int[] p : prompts) {
            for (int c = 0; c < copies; c++) {
                repeated.add(p);
            }
        }
        GenerationConfig cfg = GenerationConfig.sampling(1.0, newTokens).toBuilder().seed(11).stopTokenIds(Set.of(6)).build();
        for (GptConfig family : List.of(TinyModels.gpt2().toBuilder().initStd(0.5).build(), TinyModels.llama().toBuilder().initStd(0.5).build())) {
            try (Gpt m = new Gpt(family, reference(), 29); Generator g = new Generator(m, LETTERS)) {
                List<GenerationResult> expected = g.generate(repeated, cfg, null);
                List<GenerationResult> shared = g.generate(prompts, copies, cfg, null);
                assertEquals(expected.size(), shared.size());
                Set<String> distinct = new HashSet<>();
                for (int i = 0; i < expected.size(); i++) {
                    String what = family.positions() + ", prompt " + i / copies + " copy " + i % copies;
                    assertArrayEquals(expected.get(i).completion(), shared.get(i).completion(), what);
                    assertArrayEquals(expected.get(i).logProbs(), shared.get(i).logProbs(), what);
                    assertEquals(expected.get(i).reason(), shared.get(i).reason(), what);
                    distinct.add(Arrays.toString(shared.get(i).completion()));
                }
                assertTrue(distinct.size() > prompts.size(), "the copies of a prompt sample different paths: " + distinct);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void sampledLogProbsAreWhatScoringTheCompletionsGivesAtThatTemperature(boolean cache) {
        List<int[]> prompts = List.of(new int[] {1, 2, 3}, new int[] {7}, new int[] {5, 5});
        GenerationConfig cfg = GenerationConfig.sampling(0.8, 4).toBuilder().seed(5).useCache(cache).stopTokenIds(Set.of(6)).build();
        assertTrue(cfg.isPureTemperature());
        List<GenerationResult> results = generator.generate(prompts, cfg, null);
        RolloutBatch rollout = RolloutBatch.of(results, 6); // padding id = the stop token, told apart by the masks
        TensorFactory f = Tensor.on(reference());
        try (TensorScope ignored = TensorScope.open()) {
            float[] scored = TokenLogProbs.score(model, rollout.ids(f), rollout.attentionMask(f), 0.8).perToken().toFloatArray();
            float[] sampled = rollout.logProbs(f).toFloatArray();
            float[] response = rollout.responseMask(f).toFloatArray();
            int counted = 0;
            for (int i = 0; i < scored.length; i++) {
                if (response[i] == 1) {
                    assertEquals(sampled[i], scored[i], 2e-5, "token " + i % rollout.length() + " of row " + i / rollout.length());
                    counted++;
                }
            }
            assertEquals(results.stream().mapToInt(r -> r.completion().length).sum(), counted);
        }
    }

    @Test
    void aStopTokenEndsTheCompletionWithItsLogProbability() {
        int[] prompt = {2};
        int[] greedy = generator.generate(prompt, GenerationConfig.greedy(6)).tokens();
        int firstNew = 1;
        while (greedy[firstNew] == greedy[0]) {
            firstNew++;
        }
        int stop = greedy[firstNew];
        GenerationResult r = generator.generate(prompt, GenerationConfig.greedy(6).toBuilder().stopTokenIds(Set.of(stop)).build());
        assertEquals(stop, r.stopToken());
        assertArrayEquals(Arrays.copyOf(greedy, firstNew), r.tokens(), "the stop token is not part of the text's tokens");
        assertArrayEquals(Arrays.copyOf(greedy, firstNew + 1), r.completion(), "but it is part of the completion");
        assertEquals(firstNew + 1, r.logProbs().length);
        assertEquals(-1, generator.generate(prompt, GenerationConfig.greedy(2)).stopToken());
    }

    @Test
    void streamYieldsTheTokensOfGenerate() {
        int[] prompt = {7};
        GenerationConfig cfg = GenerationConfig.builder().maxNewTokens(6).temperature(1.5).seed(3).build();
        List<Integer> got = new ArrayList<>();
        try (TokenStream s = generator.stream(prompt, cfg)) {
            s.forEachRemaining(got::add);
            assertEquals(StopReason.MAX_TOKENS, s.result().reason());
        }
        assertEquals(Arrays.stream(generator.generate(prompt, cfg).tokens()).boxed().toList(), got);
    }

    @Test
    void generationContinuesPastTheContextWithAndWithoutCache() {
        long live = reference().liveTensorCount();
        for (boolean cache : new boolean[] {true, false}) {
            GenerationResult r = generator.generate(new int[] {1, 2, 3, 4, 5, 6, 7}, GenerationConfig.greedy(20).toBuilder().useCache(cache).build());
            assertEquals(20, r.tokens().length, "the context of 8 slides");
        }
        assertEquals(live, reference().liveTensorCount(), "generation frees every tensor it made");
    }

    @Test
    void badRequestsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> generator.generate(new int[0], GenerationConfig.greedy(2)));
        assertThrows(IllegalArgumentException.class, () -> generator.generate(new int[] {11}, GenerationConfig.greedy(2)));
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.builder().topP(0).build());
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.builder().temperature(-1).build());
        assertEquals(0, generator.generate(new int[] {1}, GenerationConfig.greedy(0)).tokens().length);
    }

    @Test
    void generationLeavesTheModelInItsMode() {
        model.train();
        generator.generate(new int[] {1}, GenerationConfig.greedy(1));
        assertTrue(model.isTraining());
        Tensor wte = model.parameter("wte.weight");
        assertTrue(wte.requiresGrad() && wte.grad() == null, "no gradients are recorded while generating");
    }
}
