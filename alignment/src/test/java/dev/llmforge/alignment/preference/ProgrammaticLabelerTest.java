package dev.llmforge.alignment.preference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.alignment.eval.EvalRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgrammaticLabelerTest {
    private static final EvalRecord SISTER = new EvalRecord(
            "When I was 6 my sister was half my age. Now I'm 70 how old is my sister?", "67");
    private static final String RIGHT = "When I was 6, my sister was 6 / 2 = 3. So she is 6 - 3 = 3 years younger. "
            + "Now I'm 70, so she is 70 - 3 = 67. The answer is 67.";
    private static final String WRONG = "When I was 6, my sister was 6 / 2 = 3. So she is 6 - 3 = 3 years younger. "
            + "Now I'm 70, so she is 70 - 3 = 63. The answer is 63.";
    private static final String CONTINUES = "When I was 8 my brother was twice my age. Now I'm 31 how old is my brother?";

    @Test
    void rankingFollowsCorrectnessThenFormThenCleanEndThenLength() {
        List<Sample> samples = List.of(
                new Sample(WRONG, true),                       // wrong, answers, clean
                new Sample(RIGHT, false),                      // right, answers, cut off
                new Sample(CONTINUES, true),                   // wrong, continues
                new Sample(RIGHT, true),                       // right, answers, clean: best
                new Sample("She is 67. The answer is 67.", true), // right, answers, clean, shorter: better still
                new Sample(WRONG, true));                      // same as the first: a tie
        RankedResponses ranked = ProgrammaticLabeler.rank(SISTER, samples);
        assertArrayEquals(new int[] {3, 2, 4, 1, 0, 3}, ranked.ranks());
        assertEquals(new ResponseFeatures(false, false, true, CONTINUES.length()), ranked.features().get(2));
    }

    @Test
    void pairsSayWhetherTheyDifferInFormOrOnlyInCorrectness() {
        RankedResponses ranked = ProgrammaticLabeler.rank(SISTER,
                List.of(new Sample(WRONG, true), new Sample(RIGHT, true), new Sample(CONTINUES, true), new Sample(WRONG, true)));
        List<LabeledPair> pairs = ranked.pairs();
        assertEquals(List.of(
                new LabeledPair(SISTER.question(), RIGHT, WRONG, PairKind.CORRECTNESS),
                new LabeledPair(SISTER.question(), WRONG, CONTINUES, PairKind.FORM),
                new LabeledPair(SISTER.question(), RIGHT, CONTINUES, PairKind.FORM),
                new LabeledPair(SISTER.question(), RIGHT, WRONG, PairKind.CORRECTNESS),
                new LabeledPair(SISTER.question(), WRONG, CONTINUES, PairKind.FORM)),
                pairs, "the two identical wrong answers tie and make no pair");
    }

    @Test
    void answersThatDifferInLengthOnlyMakeALengthPair() {
        String shorter = "She is 67. The answer is 67.";
        RankedResponses ranked = ProgrammaticLabeler.rank(SISTER, List.of(new Sample(RIGHT, true), new Sample(shorter, true), new Sample(WRONG, false)));
        assertEquals(List.of(
                new LabeledPair(SISTER.question(), shorter, RIGHT, PairKind.LENGTH),
                new LabeledPair(SISTER.question(), RIGHT, WRONG, PairKind.FORM),
                new LabeledPair(SISTER.question(), shorter, WRONG, PairKind.FORM)),
                ranked.pairs(), "both right, answering and ending cleanly: length only; the cut-off wrong answer differs in form");
    }

    @Test
    void aContinuationThatMentionsTheAnswerHasNotAnsweredIt() {
        EvalRecord peru = new EvalRecord("What's the capital of Peru?", "Lima");
        Sample echo = new Sample("What's the capital of Lima?", true);
        Sample wrong = new Sample("Peru's capital is Quito.", true);
        Sample right = new Sample("Peru's capital is Lima.", true);
        assertEquals(new ResponseFeatures(false, false, true, 27), ResponseFeatures.of(peru, echo));
        assertArrayEquals(new int[] {2, 1, 0}, ProgrammaticLabeler.rank(peru, List.of(echo, wrong, right)).ranks());
        assertTrue(ProgrammaticLabeler.compare(peru, right, wrong) > 0);
        assertTrue(ProgrammaticLabeler.compare(peru, echo, wrong) < 0);
    }

    @Test
    void theScoreOrdersLikeTheRanking() {
        ResponseFeatures[] bestFirst = {
                new ResponseFeatures(true, true, true, 10),
                new ResponseFeatures(true, true, true, 500),
                new ResponseFeatures(true, true, false, 0),
                new ResponseFeatures(true, false, true, 1),
                new ResponseFeatures(false, true, true, 0),
                new ResponseFeatures(false, false, false, 0),
                new ResponseFeatures(false, false, false, 100_000)};
        for (int i = 0; i + 1 < bestFirst.length; i++) {
            assertTrue(ResponseFeatures.BEST_FIRST.compare(bestFirst[i], bestFirst[i + 1]) < 0, "order " + i);
            assertTrue(bestFirst[i].score() > bestFirst[i + 1].score(), "score " + i);
        }
    }

    @Test
    void sameInputSameRanks() {
        List<Sample> samples = List.of(new Sample(WRONG, true), new Sample(RIGHT, true), new Sample(CONTINUES, false));
        assertArrayEquals(ProgrammaticLabeler.rank(SISTER, samples).ranks(), ProgrammaticLabeler.rank(SISTER, samples).ranks());
        assertEquals(0, ProgrammaticLabeler.compare(SISTER, new Sample(RIGHT, true), new Sample(RIGHT, true)));
    }
}
