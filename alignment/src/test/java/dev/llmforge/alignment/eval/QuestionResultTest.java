package dev.llmforge.alignment.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Scoring of paths and the question's verdict, on hand-written responses. */
class QuestionResultTest {
    static final EvalRecord SISTER = new EvalRecord("When I was 6 my sister was half my age. Now I'm 70 how old is my sister?", "67", "age", null);

    private static QuestionResult.Path path(String text, double logProb) {
        return QuestionResult.Path.score(SISTER, text, logProb, 10);
    }

    @Test
    void theMajorityWinsAndItsLikeliestPathStandsForTheQuestion() {
        QuestionResult r = QuestionResult.of(4, SISTER, 30, List.of(path("The answer is 67.", -5), path("The answer is 66.", -1),
                path("70 - 3 = 67. The answer is 67.", -4)));
        assertTrue(r.correct());
        assertEquals("67", r.vote().orElseThrow().answer());
        assertEquals(2, r.vote().orElseThrow().votes());
        assertEquals("70 - 3 = 67. The answer is 67.", r.chosen().text());
        ObjectNode json = r.toJson();
        assertEquals(4, json.get("index").asInt());
        assertEquals("67", json.get("vote").asText());
        assertEquals(3, json.get("paths").size());
        assertEquals("66", json.get("paths").get(1).get("extracted").asText());
        assertFalse(json.get("paths").get(1).get("correct").asBoolean());
    }

    @Test
    void aTieGoesToTheLargerSummedLogProbability() {
        QuestionResult wrong = QuestionResult.of(0, SISTER, 30, List.of(path("The answer is 67.", -3), path("The answer is 66.", -1)));
        assertFalse(wrong.correct());
        assertEquals("66", wrong.vote().orElseThrow().answer());
        QuestionResult right = QuestionResult.of(0, SISTER, 30, List.of(path("The answer is 67.", -0.5), path("The answer is 66.", -1)));
        assertTrue(right.correct());
    }

    @Test
    void theFirstKPathsAreVotedOnAfresh() {
        QuestionResult all = QuestionResult.of(2, SISTER, 30, List.of(path("The answer is 67.", -5), path("The answer is 66.", -1),
                path("The answer is 66.", -2), path("The answer is 67.", -4), path("The answer is 67.", -3)));
        assertTrue(all.correct());
        assertEquals(3, all.vote().orElseThrow().votes());
        QuestionResult three = all.firstPaths(3);
        assertFalse(three.correct());
        assertEquals("66", three.vote().orElseThrow().answer());
        assertEquals(3, three.paths().size());
        assertEquals(2, three.index());
        assertTrue(all.firstPaths(1).correct());
        assertThrows(IllegalArgumentException.class, () -> all.firstPaths(6));
        assertThrows(IllegalArgumentException.class, () -> all.firstPaths(0));
    }

    @Test
    void noExtractedAnswerIsWrongAndTheFormIsTheFirstPaths() {
        QuestionResult r = QuestionResult.of(0, SISTER, 30, List.of(path("\nQ: How old is my brother?", -2), path("I do not know.", -1)));
        assertTrue(r.vote().isEmpty());
        assertFalse(r.correct());
        assertFalse(r.answers(), "the first path opens a new question");
    }

    @Test
    void oneGreedyPath() {
        QuestionResult r = QuestionResult.of(0, new EvalRecord("What's the capital of Peru?", "Lima", "capital", null), 12,
                List.of(QuestionResult.Path.score(new EvalRecord("What's the capital of Peru?", "Lima"), " Peru's capital is Lima.", -2.5, 7)));
        assertTrue(r.correct());
        assertTrue(r.answers());
        ObjectNode json = r.toJson();
        assertEquals("peru s capital is lima", json.get("extracted").asText());
        assertEquals(-2.5, json.get("log_prob").asDouble());
        assertFalse(json.has("paths"));
    }

    @Test
    void summaryCountsAndIntervals() {
        EvalRecord peru = new EvalRecord("What's the capital of Peru?", "Lima", "capital", null);
        List<QuestionResult> results = List.of(
                QuestionResult.of(0, SISTER, 30, List.of(path("The answer is 67.", -1))),
                QuestionResult.of(1, SISTER, 30, List.of(path("Q: What is 2 + 2?", -1))),
                QuestionResult.of(2, peru, 12, List.of(QuestionResult.Path.score(peru, " Lima.", -1, 3))),
                QuestionResult.of(3, peru, 12, List.of(QuestionResult.Path.score(peru, " Quito.", -1, 3))));
        EvalSummary s = EvalSummary.of(results);
        assertEquals(4, s.questions());
        assertEquals(2, s.correct());
        assertEquals(3, s.answered());
        assertEquals(1, s.byKind().get("age").correct());
        assertEquals(2, s.byKind().get("capital").answered());
        // Wilson, 2 of 4 by hand: centre 0.5, half-width z * sqrt(1/16 + z^2/64) / (1 + z^2/4) = 0.350
        assertEquals("accuracy: 2/4 = 50.0% (95% interval 15.0-85.0%)", s.describe().get(0));
    }
}
