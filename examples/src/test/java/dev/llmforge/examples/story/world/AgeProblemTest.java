package dev.llmforge.examples.story.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.alignment.answers.FinalNumber;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class AgeProblemTest {
    private static final Pattern EQUATION = Pattern.compile("(?<!\\d)(\\d+(?: [-+*/] \\d+)+) = (\\d+)");

    @Test
    void theSeedProblemWordForWord() {
        assertEquals("When I was 6 my sister was half my age. Now I'm 70 how old is my sister?", AgeProblem.SEED.question());
        assertEquals(67, AgeProblem.SEED.answer());
        assertEquals("When I was 6, my sister was 6 / 2 = 3. So she is 6 - 3 = 3 years younger. Now I'm 70, so she is "
                + "70 - 3 = 67. The answer is 67.", AgeProblem.SEED.solution(SolutionStyle.COMPACT));
    }

    @Test
    void everyRelationInTheFamilysSentenceForm() {
        assertEquals("When I was 9 my cousin was a third of my age. Now I'm 40 how old is my cousin?",
                new AgeProblem(9, Relative.COUSIN, AgeRelation.THIRD, 0, 40, AgeQuestionForm.SEED).question());
        assertEquals("When I was 4 my friend was twice my age. Now I'm 30 how old is my friend?",
                new AgeProblem(4, Relative.FRIEND, AgeRelation.TWICE, 0, 30, AgeQuestionForm.SEED).question());
        assertEquals("When I was 10 my brother was 3 years older than me. Now I'm 25 how old is my brother?",
                new AgeProblem(10, Relative.BROTHER, AgeRelation.OLDER, 3, 25, AgeQuestionForm.SEED).question());
        assertEquals("When I was 12 my sister was 1 year younger than me. Now I'm 50 how old is my sister?",
                new AgeProblem(12, Relative.SISTER, AgeRelation.YOUNGER, 1, 50, AgeQuestionForm.SEED).question());
        assertEquals("My friend was twice my age when I was 4. Now I'm 30. How old is my friend now?",
                new AgeProblem(4, Relative.FRIEND, AgeRelation.TWICE, 0, 30, AgeQuestionForm.REVERSED).question());
    }

    @Test
    void solutionsSpellEveryStep() {
        assertEquals("When I was 4, my friend was 4 * 2 = 8. So my friend is 8 - 4 = 4 years older. Now I'm 30, so my friend "
                + "is 30 + 4 = 34. The answer is 34.",
                new AgeProblem(4, Relative.FRIEND, AgeRelation.TWICE, 0, 30, AgeQuestionForm.SEED).solution(SolutionStyle.COMPACT));
        assertEquals("When I was 12, my sister was 12 - 1 = 11. So she is 12 - 11 = 1 year younger. Now I'm 50, so she is "
                + "50 - 1 = 49. The answer is 49.",
                new AgeProblem(12, Relative.SISTER, AgeRelation.YOUNGER, 1, 50, AgeQuestionForm.SEED).solution(SolutionStyle.COMPACT));
    }

    @Test
    void columnsWriteOnesFirstWithCarriesAndBorrows() {
        assertEquals("70 - 3: ones 10 - 3 = 7 borrow 1, tens 7 - 0 - 1 = 6, so 70 - 3 = 67",
                ColumnArithmetic.subtract(70, 3, SolutionStyle.COLUMNS));
        assertEquals("58 + 7: ones 8 + 7 = 15 carry 1, tens 5 + 0 + 1 = 6, so 58 + 7 = 65",
                ColumnArithmetic.add(58, 7, SolutionStyle.COLUMNS));
        assertEquals("95 + 8: ones 5 + 8 = 13 carry 1, tens 9 + 0 + 1 = 10, so 95 + 8 = 103",
                ColumnArithmetic.add(95, 8, SolutionStyle.COLUMNS));
        assertEquals("64 - 21: ones 4 - 1 = 3, tens 6 - 2 = 4, so 64 - 21 = 43", ColumnArithmetic.subtract(64, 21, SolutionStyle.COLUMNS));
        assertEquals("6 - 3 = 3", ColumnArithmetic.subtract(6, 3, SolutionStyle.COLUMNS), "one digit needs no columns");
        assertEquals("When I was 6, my sister was 6 / 2 = 3. So she is 6 - 3 = 3 years younger. Now I'm 70, so she is "
                + "70 - 3: ones 10 - 3 = 7 borrow 1, tens 7 - 0 - 1 = 6, so 70 - 3 = 67. The answer is 67.",
                AgeProblem.SEED.solution(SolutionStyle.COLUMNS));
    }

    /** Answers by the arithmetic of each relation written independently, and every equation of every solution true. */
    @Test
    void drawnProblemsHaveWholePositiveAnswersAndTrueSteps() {
        AgeProblemSampler sampler = new AgeProblemSampler(WorldSize.full());
        WorldRandom random = WorldRandom.stream(7, "test");
        for (int i = 0; i < 2000; i++) {
            AgeProblem p = sampler.draw(random);
            int a = p.thenAge();
            int b = p.nowAge();
            int expected = switch (p.relation()) {
                case HALF -> b - a / 2;
                case THIRD -> b - 2 * a / 3;
                case TWICE -> b + a;
                case OLDER -> b + p.years();
                case YOUNGER -> b - p.years();
            };
            assertEquals(expected, p.answer(), p.question());
            assertTrue(p.answer() > 0, p.question());
            for (SolutionStyle style : SolutionStyle.values()) {
                String solution = p.solution(style);
                assertEquals(Optional.of(Integer.toString(expected)), FinalNumber.extract(solution), solution);
                assertTrue(solution.endsWith("The answer is " + expected + "."), solution);
                Matcher m = EQUATION.matcher(solution);
                int equations = 0;
                while (m.find()) {
                    assertEquals(evaluate(m.group(1)), Integer.parseInt(m.group(2)), m.group() + " in " + solution);
                    equations++;
                }
                assertTrue(equations >= 3, solution);
            }
        }
    }

    @Test
    void refusesAgesThatAreNotWholeAndPositive() {
        assertThrows(IllegalArgumentException.class, () -> new AgeProblem(7, Relative.SISTER, AgeRelation.HALF, 0, 20, AgeQuestionForm.SEED));
        assertThrows(IllegalArgumentException.class, () -> new AgeProblem(6, Relative.SISTER, AgeRelation.YOUNGER, 6, 20, AgeQuestionForm.SEED));
        assertThrows(IllegalArgumentException.class, () -> new AgeProblem(6, Relative.SISTER, AgeRelation.HALF, 0, 6, AgeQuestionForm.SEED));
        assertThrows(IllegalArgumentException.class, () -> new AgeProblem(6, Relative.SISTER, AgeRelation.HALF, 2, 9, AgeQuestionForm.SEED));
    }

    /** "7 - 0 - 1" → 6, left to right. */
    private static int evaluate(String chain) {
        String[] parts = chain.split(" ");
        int value = Integer.parseInt(parts[0]);
        for (int i = 1; i < parts.length; i += 2) {
            value = apply(value, parts[i], Integer.parseInt(parts[i + 1]));
        }
        return value;
    }

    private static int apply(int x, String op, int y) {
        return switch (op) {
            case "+" -> x + y;
            case "-" -> x - y;
            case "*" -> x * y;
            default -> {
                assertEquals(0, x % y, x + " / " + y + " is not whole");
                yield x / y;
            }
        };
    }
}
