package dev.llmforge.alignment.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.alignment.eval.SelfConsistencyVote.Vote;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SelfConsistencyVoteTest {
    @Test
    void theMostCommonAnswerWins() {
        Vote vote = SelfConsistencyVote.vote(answers("67", "35", "67", null, "67"), new double[] {-5, -1, -9, -2, -7}).orElseThrow();
        assertEquals("67", vote.answer());
        assertEquals(3, vote.votes());
        assertEquals(5, vote.paths());
        assertEquals(0, vote.representative(), "the winning answer's most likely path");
    }

    @Test
    void aTieGoesToTheLargerSummedLogProbability() {
        // 67: -3 + -4 = -7; 35: -1 + -8 = -9
        Vote vote = SelfConsistencyVote.vote(answers("35", "67", "35", "67"), new double[] {-1, -3, -8, -4}).orElseThrow();
        assertEquals("67", vote.answer());
        assertEquals(1, vote.representative());
        // equal sums too: the answer seen first
        assertEquals("35", SelfConsistencyVote.vote(answers("35", "67"), new double[] {-2, -2}).orElseThrow().answer());
    }

    @Test
    void pathsWithoutAnAnswerAbstain() {
        assertTrue(SelfConsistencyVote.vote(answers(null, null), new double[] {-1, -2}).isEmpty());
        assertEquals("4", SelfConsistencyVote.vote(answers(null, "4", null), new double[] {0, -50, 0}).orElseThrow().answer());
        assertThrows(IllegalArgumentException.class, () -> SelfConsistencyVote.vote(answers("1"), new double[] {1, 2}));
    }

    private static List<Optional<String>> answers(String... values) {
        return Arrays.stream(values).map(Optional::ofNullable).toList();
    }
}
