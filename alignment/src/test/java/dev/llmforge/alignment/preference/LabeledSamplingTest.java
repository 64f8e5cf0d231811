package dev.llmforge.alignment.preference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.alignment.data.RecordLocation;
import dev.llmforge.alignment.data.RolloutPrompt;
import dev.llmforge.alignment.eval.EvalRecord;
import dev.llmforge.alignment.rl.Rollout;
import dev.llmforge.alignment.rl.RolloutSampler;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tokenizer.CharTokenizer;
import dev.llmforge.tokenizer.chat.ChatMessage;
import dev.llmforge.tokenizer.chat.ChatTemplate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Sampled answers ranked by the labeler: every prompt ranked, pairs consistent with the ranks, seeded, the labeler's score per row. */
class LabeledSamplingTest {
    static final Backend REFERENCE = Backends.get("reference");
    static final CharTokenizer TOKENIZER = CharTokenizer.fromCorpus("0123456789 abcdefghijklmnopqrstuvwxyz?.:+\nQAT", List.of("<|endoftext|>"));
    static final GptConfig CONFIG = GptConfig.builder().vocabSize(TOKENIZER.vocabSize()).blockSize(32).nLayer(1).nHead(2).nEmbd(16).build();

    static List<RolloutPrompt> prompts(int n) {
        List<RolloutPrompt> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            String q = "what is " + i + "+" + i + "?";
            out.add(new RolloutPrompt(List.of(ChatMessage.user(q)), q, Optional.of(String.valueOf(2 * i)), new RecordLocation("t", i)));
        }
        return out;
    }

    static LabeledSampling collect(long seed) {
        try (Gpt model = new Gpt(CONFIG, REFERENCE, 3); RolloutSampler sampler = new RolloutSampler(model, TOKENIZER, ChatTemplate.qa(), 1.0, 6)) {
            return LabeledSampling.collect(sampler, prompts(5), 3, 7, seed);
        }
    }

    @Test
    void everyPromptIsRankedAndEveryPairFollowsTheRanks() {
        LabeledSampling labeled = collect(21);
        assertEquals(5, labeled.ranked().size());
        int pairs = 0;
        for (int p = 0; p < 5; p++) {
            RankedResponses r = labeled.ranked().get(p);
            assertEquals(prompts(5).get(p).question(), r.prompt());
            assertEquals(3, r.responses().size());
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    if (r.ranks()[i] < r.ranks()[j]) {
                        assertTrue(ResponseFeatures.BEST_FIRST.compare(r.features().get(i), r.features().get(j)) < 0, "rank order is the labeler's");
                    }
                }
            }
            pairs += r.pairs().size();
        }
        assertEquals(pairs, labeled.pairs().size() + labeled.emptyLeftOut());
        assertTrue(labeled.pairs().stream().noneMatch(x -> x.chosen().isBlank() || x.rejected().isBlank()));
        assertEquals(labeled.pairs().size(), labeled.count(PairKind.FORM) + labeled.count(PairKind.CORRECTNESS) + labeled.count(PairKind.LENGTH));
    }

    @Test
    void theSameSeedGivesTheSameAnswersAnotherSeedOthers() {
        List<String> a = texts(collect(21));
        assertEquals(a, texts(collect(21)));
        assertTrue(!a.equals(texts(collect(22))), "another seed samples other answers");
    }

    private static List<String> texts(LabeledSampling labeled) {
        return labeled.ranked().stream().flatMap(r -> r.responses().stream()).map(Sample::text).toList();
    }

    @Test
    void aPromptWithoutAnAnswerIsAnErrorNamingIt() {
        RolloutPrompt noAnswer = new RolloutPrompt(List.of(ChatMessage.user("hi")), "hi", Optional.empty(), new RecordLocation("p.jsonl", 4));
        try (Gpt model = new Gpt(CONFIG, REFERENCE, 3); RolloutSampler sampler = new RolloutSampler(model, TOKENIZER, ChatTemplate.qa(), 1.0, 4)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabeledSampling.collect(sampler, List.of(noAnswer), 2, 4, 1));
            assertTrue(e.getMessage().startsWith("p.jsonl:4: "), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> LabeledSampling.collect(sampler, prompts(1), 1, 4, 1));
        }
    }

    /** The labeler's score of a row is its score of the row's text, with the row's end-of-turn flag. */
    @Test
    void theLabelerScoreOfARowReadsItsAnswerAndWhetherItEnded() {
        try (Gpt model = new Gpt(CONFIG, REFERENCE, 3); RolloutSampler sampler = new RolloutSampler(model, TOKENIZER, ChatTemplate.qa(), 1.0, 6)) {
            Rollout rollout = sampler.sample(prompts(4), 4, 9);
            LabelerScore score = new LabelerScore();
            boolean sawCut = false;
            for (int r = 0; r < rollout.rows(); r++) {
                RolloutPrompt p = rollout.prompts().get(r);
                EvalRecord record = new EvalRecord(p.question(), p.answer().orElseThrow());
                boolean ended = rollout.endedAtEndOfTurn(r);
                sawCut |= !ended;
                double expected = ProgrammaticLabeler.score(record, new Sample(rollout.response(r), ended));
                assertEquals(expected, score.of(rollout, r), 0, "row " + r);
            }
            assertTrue(sawCut, "some rows hit the length limit (the flag matters: it is worth 1)");
        }
    }
}
