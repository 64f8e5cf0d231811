package dev.llmforge.examples.story.world;

import dev.llmforge.alignment.eval.EvalRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The questions the story evaluates on, in the {@code eval} format ({@link EvalRecord}), and the few-shot
 * exemplars that prompts may put before them.
 */
final class EvaluationSets {
    static final String AGE = "age";

    private EvaluationSets() {
    }

    /** One question per held-out country and fact, in a phrasing drawn at random; kind = the fact's label. */
    static List<EvalRecord> heldOutFacts(WorldSplit split, long seed) {
        return heldOutFactsByCountry(split, seed).values().stream().flatMap(List::stream).toList();
    }

    /** The same questions, those about {@code countries} only (held-out countries, e.g. {@link WorldSplit#unseen}). */
    static List<EvalRecord> heldOutFactsAbout(List<Country> countries, WorldSplit split, long seed) {
        Map<Country, List<EvalRecord>> byCountry = heldOutFactsByCountry(split, seed);
        return countries.stream().flatMap(c -> byCountry.get(c).stream()).toList();
    }

    private static Map<Country, List<EvalRecord>> heldOutFactsByCountry(WorldSplit split, long seed) {
        WorldRandom random = WorldRandom.stream(seed, "held-out facts");
        Map<Country, List<EvalRecord>> byCountry = new LinkedHashMap<>();
        for (Country c : split.heldOut()) {
            List<EvalRecord> records = new ArrayList<>();
            for (Fact fact : Fact.values()) {
                records.add(new EvalRecord(fact.question(c, random.below(fact.questionCount())), fact.answer(c), fact.label(),
                        null));
            }
            byCountry.put(c, records);
        }
        return byCountry;
    }

    /**
     * Prompts for reinforcement learning with checkable answers: every phrasing of every fact question about the
     * {@link WorldSplit#reinforcement} countries, shuffled. The SFT model was never asked about these countries, so
     * it gets many wrong although pretraining told it the facts: room for a reward to teach it to answer from what
     * it knows rather than with a training country's answer.
     */
    static List<EvalRecord> reinforcementPrompts(WorldSplit split, long seed) {
        List<EvalRecord> records = new ArrayList<>();
        for (Country c : split.reinforcement()) {
            for (Fact fact : Fact.values()) {
                for (int phrasing = 0; phrasing < fact.questionCount(); phrasing++) {
                    records.add(new EvalRecord(fact.question(c, phrasing), fact.answer(c), fact.label(), null));
                }
            }
        }
        return WorldRandom.stream(seed, "reinforcement prompts").shuffled(records);
    }

    /**
     * The base model's recall in document style: "The capital of X is" to be continued with the capital, for every
     * country of the world — held-out ones first, kind "held-out", then training ones, kind "training"; for
     * {@code llmforge eval --prompt-style completion}.
     */
    static List<EvalRecord> capitalRecall(WorldSplit split) {
        List<EvalRecord> records = new ArrayList<>();
        for (List<Country> side : List.of(split.heldOut(), split.training())) {
            String kind = side == split.heldOut() ? "held-out" : "training";
            for (Country c : side) {
                records.add(new EvalRecord("The capital of " + c.inSentence() + " is", c.capital(), kind, null));
            }
        }
        return records;
    }

    /** The held-out age problems (the seed problem first), kind "age". */
    static List<EvalRecord> heldOutAges(WorldSplit split) {
        return split.heldOutProblems().stream()
                .map(p -> new EvalRecord(p.question(), Integer.toString(p.answer()), AGE, null))
                .toList();
    }

    /**
     * Few-shot exemplars from the training side, with the worked response as {@code solution}: {@code n} fact
     * questions (about training countries other than China, kinds in turn) and {@code n} age problems in the
     * seed's sentence form, relations in turn.
     */
    static List<EvalRecord> fewShot(WorldSplit split, WorldSize size, long seed) {
        WorldRandom random = WorldRandom.stream(seed, "few-shot");
        List<Country> countries = random.shuffled(split.training().stream()
                .filter(c -> !c.code().equals(WorldSplit.SEED_COUNTRY)).toList());
        List<EvalRecord> records = new ArrayList<>();
        for (int i = 0; i < size.fewShotExemplars(); i++) {
            Country c = countries.get(i % countries.size());
            Fact fact = Fact.values()[i % Fact.values().length];
            records.add(new EvalRecord(fact.question(c, 0), fact.answer(c), fact.label(), fact.answerSentence(c)));
        }
        for (int i = 0; i < size.fewShotExemplars(); i++) {
            AgeRelation relation = AgeRelation.values()[i % AgeRelation.values().length];
            AgeProblem drawn;
            do {
                drawn = split.trainingProblem(random);
            } while (drawn.relation() != relation);
            AgeProblem p = new AgeProblem(drawn.thenAge(), drawn.relative(), drawn.relation(), drawn.years(), drawn.nowAge(),
                    AgeQuestionForm.SEED);
            records.add(new EvalRecord(p.question(), Integer.toString(p.answer()), AGE, p.solution(size.solutionStyle())));
        }
        return records;
    }

    /**
     * Questions from the training side with their answers (for {@code llmforge label} and the RL commands by hand;
     * the story uses {@link #reinforcementPrompts}): one fact question per training country (kinds in turn, phrasing drawn at random) and as many
     * training age problems as there are held-out ones (never with a held-out problem's numbers).
     */
    static List<EvalRecord> trainingPrompts(WorldSplit split, WorldSize size, long seed) {
        WorldRandom random = WorldRandom.stream(seed, "training prompts");
        List<EvalRecord> records = new ArrayList<>();
        List<Country> training = split.training();
        for (int i = 0; i < training.size(); i++) {
            Country c = training.get(i);
            Fact fact = Fact.values()[i % Fact.values().length];
            records.add(new EvalRecord(fact.question(c, random.below(fact.questionCount())), fact.answer(c), fact.label(), null));
        }
        for (int i = 0; i < size.evalAgeProblems(); i++) {
            AgeProblem p = split.trainingProblem(random);
            records.add(new EvalRecord(p.question(), Integer.toString(p.answer()), AGE, null));
        }
        return random.shuffled(records);
    }
}
