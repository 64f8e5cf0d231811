package dev.llmforge.examples.story.world;

/**
 * One age problem: "When I was {thenAge} my {relative} was {relation}. Now I'm {nowAge} how old is my {relative}?"
 * The relative's age gap stays the same, so the answer is {@code nowAge} plus the (signed) gap.
 *
 * @param thenAge  my age then (A)
 * @param relative whose age is asked
 * @param relation how old they were then
 * @param years    K for {@link AgeRelation#OLDER} and {@link AgeRelation#YOUNGER}, 0 otherwise
 * @param nowAge   my age now (B), older than {@code thenAge}
 * @param form     the sentence form of the question
 */
public record AgeProblem(int thenAge, Relative relative, AgeRelation relation, int years, int nowAge, AgeQuestionForm form) {
    /** The seed problem, word for word: "When I was 6 my sister was half my age. Now I'm 70 how old is my sister?" (67). */
    public static final AgeProblem SEED = new AgeProblem(6, Relative.SISTER, AgeRelation.HALF, 0, 70, AgeQuestionForm.SEED);

    public AgeProblem {
        if (thenAge < 1 || nowAge <= thenAge || (relation.hasYears() ? years < 1 : years != 0)
                || !relation.allows(thenAge, years)) {
            throw new IllegalArgumentException("not a problem with whole, positive ages: then " + thenAge + ", now " + nowAge
                    + ", " + relation + " " + years);
        }
    }

    /**
     * What makes two problems the same exercise whatever the wording and the relative: the relation and the three
     * numbers. Held-out problems differ from every training problem in this.
     */
    public record Numbers(AgeRelation relation, int thenAge, int years, int nowAge) {
    }

    public Numbers numbers() {
        return new Numbers(relation, thenAge, years, nowAge);
    }

    /** The relative's age when I was {@code thenAge}. */
    public int relativeAgeThen() {
        return relation.relativeAge(thenAge, years);
    }

    /** The answer: the relative's age now. */
    public int answer() {
        return nowAge + relativeAgeThen() - thenAge;
    }

    public String question() {
        return form.render(thenAge, relative.word(), relation.phrase(years), nowAge);
    }

    /**
     * The worked solution, three short steps and the final answer, e.g. "When I was 6, my sister was 6 / 2 = 3. So
     * she is 6 - 3 = 3 years younger. Now I'm 70, so she is 70 - 3 = 67. The answer is 67."
     */
    public String solution(SolutionStyle style) {
        int then = relativeAgeThen();
        String firstStep = switch (relation) {
            case HALF -> thenAge + " / 2 = " + then;
            case THIRD -> thenAge + " / 3 = " + then;
            case TWICE -> thenAge + " * 2 = " + then;
            case OLDER -> ColumnArithmetic.add(thenAge, years, style);
            case YOUNGER -> ColumnArithmetic.subtract(thenAge, years, style);
        };
        boolean older = then > thenAge;
        int gap = Math.abs(then - thenAge);
        String gapStep = older ? ColumnArithmetic.subtract(then, thenAge, style) : ColumnArithmetic.subtract(thenAge, then, style);
        String lastStep = older ? ColumnArithmetic.add(nowAge, gap, style) : ColumnArithmetic.subtract(nowAge, gap, style);
        String who = relative.referredTo();
        return "When I was " + thenAge + ", my " + relative.word() + " was " + firstStep + ". So " + who + " is " + gapStep
                + (gap == 1 ? " year " : " years ") + (older ? "older" : "younger") + ". Now I'm " + nowAge + ", so " + who + " is " + lastStep
                + ". The answer is " + answer() + ".";
    }
}
