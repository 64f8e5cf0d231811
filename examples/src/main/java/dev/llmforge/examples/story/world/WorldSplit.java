package dev.llmforge.examples.story.world;

import dev.llmforge.alignment.answers.AnswerText;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which countries and age problems are training material and which are held out for evaluation.
 *
 * <ul>
 *   <li>Countries: {@code countries} of the table are in the world (China, the seed's SFT example, always, on the
 *       training side); {@code heldOutCountries} of them are held out: their facts appear in pretraining
 *       documents only. A country whose capital's name contains its own name or is contained in it (Djibouti,
 *       Mexico City, São Tomé, ...) is never held out, as a model could answer it by echoing the question.
 *   <li>Age problems: the held-out set is the seed problem followed by problems drawn with other numbers
 *       ({@link AgeProblem.Numbers}); training problems are drawn with any numbers but those.
 * </ul>
 */
final class WorldSplit {
    static final String SEED_COUNTRY = "CN";

    private final List<Country> world;
    private final List<Country> training;
    private final List<Country> heldOut;
    private final List<AgeProblem> heldOutProblems;
    private final Set<AgeProblem.Numbers> heldOutNumbers;
    private final AgeProblemSampler sampler;

    WorldSplit(List<Country> table, WorldSize size, long seed) {
        if (size.countries() > table.size()) {
            throw new IllegalArgumentException("--countries is " + size.countries() + " but the table has " + table.size()
                    + " countries with a capital");
        }
        WorldRandom random = WorldRandom.stream(seed, "countries");
        Country china = table.stream().filter(c -> c.code().equals(SEED_COUNTRY)).findFirst().orElseThrow();
        List<Country> others = new ArrayList<>(table);
        others.remove(china);
        List<Country> chosen = new ArrayList<>(random.shuffled(others).subList(0, size.countries() - 1));
        List<Country> eligible = chosen.stream().filter(c -> !nameAndCapitalOverlap(c)).toList();
        if (eligible.size() < size.heldOutCountries()) {
            throw new IllegalArgumentException("--held-out-countries is " + size.heldOutCountries() + " but only "
                    + eligible.size() + " of the world's countries can be held out");
        }
        heldOut = inTableOrder(table, eligible.subList(0, size.heldOutCountries()));
        chosen.add(china);
        world = inTableOrder(table, chosen);
        chosen.removeAll(heldOut);
        training = inTableOrder(table, chosen);

        sampler = new AgeProblemSampler(size);
        WorldRandom problems = WorldRandom.stream(seed, "held-out problems");
        Set<AgeProblem.Numbers> numbers = new LinkedHashSet<>();
        List<AgeProblem> held = new ArrayList<>();
        held.add(AgeProblem.SEED);
        numbers.add(AgeProblem.SEED.numbers());
        int attempts = 0;
        while (held.size() < size.evalAgeProblems()) {
            if (++attempts > 100 * size.evalAgeProblems()) {
                throw new IllegalArgumentException("cannot find " + size.evalAgeProblems() + " age problems with distinct "
                        + "numbers in the ranges given; widen them or lower --eval-age-problems");
            }
            AgeProblem p = sampler.draw(problems);
            if (numbers.add(p.numbers())) {
                held.add(p);
            }
        }
        heldOutProblems = List.copyOf(held);
        heldOutNumbers = Set.copyOf(numbers);
    }

    /** Countries whose facts SFT may use, in table order (China among them). */
    List<Country> training() {
        return training;
    }

    /** Countries whose facts appear in pretraining only, in table order. */
    List<Country> heldOut() {
        return heldOut;
    }

    /**
     * The first, third, fifth, ... held-out country: the questions that reinforcement learning trains on ask about
     * these ({@link EvaluationSets#reinforcementPrompts}).
     */
    List<Country> reinforcement() {
        return alternate(0);
    }

    /**
     * The second, fourth, ... held-out country: no training step after pretraining asks about these, so a model's
     * answers about them show what it learnt to do, not which answers it was shown.
     */
    List<Country> unseen() {
        return alternate(1);
    }

    private List<Country> alternate(int first) {
        List<Country> every = new ArrayList<>();
        for (int i = first; i < heldOut.size(); i += 2) {
            every.add(heldOut.get(i));
        }
        return every;
    }

    /** Every country of the world, in table order. */
    List<Country> all() {
        return world;
    }

    /** The held-out age problems, the seed problem first. */
    List<AgeProblem> heldOutProblems() {
        return heldOutProblems;
    }

    /** A training problem: drawn as any other, redrawn while its numbers are those of a held-out problem. */
    AgeProblem trainingProblem(WorldRandom random) {
        while (true) {
            AgeProblem p = sampler.draw(random);
            if (!heldOutNumbers.contains(p.numbers())) {
                return p;
            }
        }
    }

    static boolean nameAndCapitalOverlap(Country c) {
        return AnswerText.occurrences(c.name(), c.capital()) > 0 || AnswerText.occurrences(c.capital(), c.name()) > 0;
    }

    private static List<Country> inTableOrder(List<Country> table, List<Country> subset) {
        Set<Country> members = new HashSet<>(subset);
        return table.stream().filter(members::contains).toList();
    }
}
