package dev.llmforge.alignment.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class FewShotExemplarsTest {
    static final EvalRecord CAPITAL_A = new EvalRecord("What's the capital of Chile?", "Santiago", "capital", "Chile's capital is Santiago.");
    static final EvalRecord CONTINENT = new EvalRecord("Which continent is Peru in?", "South America", "continent", null);
    static final EvalRecord AGE = new EvalRecord("When I was 4 my friend was twice my age. Now I'm 30 how old is my friend?", "34", "age", "4 * 2 = 8. The answer is 34.");
    static final EvalRecord CAPITAL_B = new EvalRecord("What's the capital of Peru?", "Lima", "capital", "Peru's capital is Lima.");
    static final List<EvalRecord> POOL = List.of(CAPITAL_A, CONTINENT, AGE, CAPITAL_B);

    @Test
    void sameKindFirstThenSameAnswerTypeInFileOrderNeverTheQuestionItself() {
        FewShotExemplars two = new FewShotExemplars(POOL, 2);
        assertEquals(List.of(CAPITAL_A, CAPITAL_B), two.pick(new EvalRecord("What's the capital of Bolivia?", "Sucre", "capital", null)));
        assertEquals(List.of(CAPITAL_A, CONTINENT), two.pick(CAPITAL_B));
        assertEquals(List.of(CAPITAL_A, CONTINENT), two.pick(new EvalRecord("Where is Chad?", "Africa")));
        assertEquals(List.of(AGE), new FewShotExemplars(POOL, 1).pick(new EvalRecord("How old is my cousin?", "12")));
    }

    @Test
    void tooFewExemplarsIsAnError() {
        Exception e = assertThrows(IllegalArgumentException.class, () -> new FewShotExemplars(POOL, 2).pick(new EvalRecord("How old?", "7")));
        assertEquals("a 2-shot prompt for \"How old?\" needs 2 exemplars whose answer is a number, found 1 among the 4 few-shot records",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new FewShotExemplars(POOL, 0));
    }

    @Test
    void responses() {
        assertEquals("The answer is 34.", FewShotExemplars.answerOnly(AGE));
        assertEquals("4 * 2 = 8. The answer is 34.", FewShotExemplars.worked(AGE));
        assertEquals("The answer is 1000.", FewShotExemplars.answerOnly(new EvalRecord("q", "1,000")));
        assertEquals("Chile's capital is Santiago.", FewShotExemplars.answerOnly(CAPITAL_A));
        assertEquals("South America", FewShotExemplars.answerOnly(CONTINENT));
        assertEquals("South America", FewShotExemplars.worked(CONTINENT));
    }
}
