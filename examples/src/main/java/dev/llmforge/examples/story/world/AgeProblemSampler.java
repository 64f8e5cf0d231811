package dev.llmforge.examples.story.world;

/**
 * Draws age problems uniformly within the world's number ranges: a relation (uniform over the five), my age then
 * among those the relation allows, K, my age now, a relative and a sentence form ({@link AgeQuestionForm#SEED}
 * half of the time, the other forms sharing the rest).
 */
final class AgeProblemSampler {
    private final WorldSize size;

    AgeProblemSampler(WorldSize size) {
        this.size = size;
    }

    AgeProblem draw(WorldRandom random) {
        AgeRelation relation = random.pick(AgeRelation.values());
        int thenAge;
        int years;
        do {
            thenAge = random.between(size.minThenAge(), size.maxThenAge());
            years = relation.hasYears() ? random.between(1, size.maxYears()) : 0;
        } while (!relation.allows(thenAge, years));
        int nowAge = random.between(thenAge + 1, size.maxNowAge());
        AgeQuestionForm form = random.chance(0.5) ? AgeQuestionForm.SEED
                : AgeQuestionForm.values()[1 + random.below(AgeQuestionForm.values().length - 1)];
        return new AgeProblem(thenAge, random.pick(Relative.values()), relation, years, nowAge, form);
    }
}
