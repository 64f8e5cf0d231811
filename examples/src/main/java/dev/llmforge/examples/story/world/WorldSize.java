package dev.llmforge.examples.story.world;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Every size of the story's world: the knobs to turn when the base model does not learn the facts or the steps.
 * Each component is a knob; its name in kebab case is its command-line flag ({@code articlesPerCountry} →
 * {@code --articles-per-country}) and its key in {@code world.json}. Two presets: {@link #quick()} (seconds of
 * training, for CI) and {@link #full()} (the hour-long run; to be tuned by measuring the base model's recall).
 *
 * <p>What each knob means is in {@link #descriptions()} (also the flags' help text).
 */
public record WorldSize(int countries, int heldOutCountries, int articlesPerCountry, int tableRowsPerCountry, int worksheets,
        int itemsPerWorksheet, int answerKeyPercent, int workedProblems, int sftFactConversations, int sftAgeConversations,
        int sftExplanationConversations, int evalAgeProblems, int fewShotExemplars, int minThenAge, int maxThenAge,
        int maxYears, int maxNowAge, SolutionStyle solutionStyle) {

    public WorldSize {
        positive("countries", countries);
        positive("held-out-countries", heldOutCountries);
        positive("articles-per-country", articlesPerCountry);
        atLeastZero("table-rows-per-country", tableRowsPerCountry);
        atLeastZero("worksheets", worksheets);
        positive("items-per-worksheet", itemsPerWorksheet);
        atLeastZero("worked-problems", workedProblems);
        atLeastZero("sft-fact-conversations", sftFactConversations);
        atLeastZero("sft-age-conversations", sftAgeConversations);
        atLeastZero("sft-explanation-conversations", sftExplanationConversations);
        positive("eval-age-problems", evalAgeProblems);
        positive("few-shot-exemplars", fewShotExemplars);
        if (answerKeyPercent < 0 || answerKeyPercent > 100) {
            throw new IllegalArgumentException("--answer-key-percent must be between 0 and 100, found " + answerKeyPercent);
        }
        if (countries - heldOutCountries < 2) {
            throw new IllegalArgumentException("--held-out-countries (" + heldOutCountries + ") must leave at least 2 of --countries ("
                    + countries + ") on the training side: SFT needs countries, and the few-shot exemplars one besides China");
        }
        if (minThenAge < 2 || maxThenAge < minThenAge + 2) {
            throw new IllegalArgumentException("--min-then-age must be at least 2 and --max-then-age at least 2 more (so "
                    + "that half, a third and K years younger are all possible), found " + minThenAge + " and " + maxThenAge);
        }
        if (maxNowAge <= maxThenAge) {
            throw new IllegalArgumentException("--max-now-age must be above --max-then-age, found " + maxNowAge + " and " + maxThenAge);
        }
        positive("max-years", maxYears);
        if (solutionStyle == null) {
            throw new IllegalArgumentException("--solution-style must be compact or columns");
        }
    }

    private static final Map<String, String> DESCRIPTIONS = descriptionTable();

    private static Map<String, String> descriptionTable() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("countries", "countries in the world, held-out ones included (at most the 247 with a capital; China, the "
                + "seed's example, is always one)");
        d.put("held-out-countries", "countries whose facts appear only in pretraining documents, never in SFT; the held-out "
                + "fact questions are 4 per held-out country, one per fact");
        d.put("articles-per-country", "encyclopedia articles per country, each stating its four facts");
        d.put("table-rows-per-country", "times each country is a row of a fact table");
        d.put("worksheets", "worksheets: questions and instructions one after another, without answers");
        d.put("items-per-worksheet", "questions and instructions per worksheet");
        d.put("answer-key-percent", "percentage of worksheets followed by their answer key");
        d.put("worked-problems", "age problems worked out step by step in the pretraining documents");
        d.put("sft-fact-conversations", "SFT conversations asking a fact of a training country");
        d.put("sft-age-conversations", "SFT conversations asking an age problem, answered with the worked solution");
        d.put("sft-explanation-conversations", "SFT conversations answering an \"Explain ... to a 6 year old.\" instruction");
        d.put("eval-age-problems", "held-out age problems: the seed problem and others whose numbers no training problem has");
        d.put("few-shot-exemplars", "few-shot exemplars of each kind (facts, age problems), from the training side");
        d.put("min-then-age", "smallest age A in \"When I was A\"");
        d.put("max-then-age", "largest age A in \"When I was A\"");
        d.put("max-years", "largest K in \"K years older/younger than me\"");
        d.put("max-now-age", "largest age B in \"Now I'm B\"");
        d.put("solution-style", "how worked solutions write sums: compact (70 - 3 = 67) or columns (ones first, with carries)");
        return d;
    }

    /** What each knob means, by flag name, in declaration order. */
    public static Map<String, String> descriptions() {
        return DESCRIPTIONS;
    }

    /** A small world for tests and CI: seconds of pretraining. */
    public static WorldSize quick() {
        return new WorldSize(48, 12, 6, 2, 120, 6, 50, 800, 600, 600, 60, 60, 4, 2, 20, 20, 90, SolutionStyle.COMPACT);
    }

    /** The full world: every country with a capital, 80 of them held out (320 held-out fact questions). */
    public static WorldSize full() {
        return new WorldSize(247, 80, 12, 4, 2000, 8, 50, 12000, 15000, 15000, 1000, 400, 8, 2, 20, 20, 90,
                SolutionStyle.COMPACT);
    }

    /** The preset called {@code name}: "quick" or "full". */
    public static WorldSize preset(String name) {
        return switch (name) {
            case "quick" -> quick();
            case "full" -> full();
            default -> throw new IllegalArgumentException("expected a world preset \"quick\" or \"full\", found \"" + name + "\"");
        };
    }

    /** Every knob by its flag name (kebab case), in declaration order. */
    public Map<String, Object> knobs() {
        Map<String, Object> knobs = new LinkedHashMap<>();
        for (RecordComponent c : WorldSize.class.getRecordComponents()) {
            try {
                Object value = c.getAccessor().invoke(this);
                knobs.put(flagName(c.getName()), value instanceof SolutionStyle s ? s.name().toLowerCase(Locale.ROOT) : value);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return knobs;
    }

    /**
     * This size with the knobs in {@code overrides} (flag name → text) changed; an unknown knob or a value that is
     * not a whole number (or, for the style, compact|columns) is an error naming the flag.
     */
    public WorldSize with(Map<String, String> overrides) {
        Map<String, Object> knobs = knobs();
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            Object old = knobs.get(e.getKey());
            if (old == null) {
                throw new IllegalArgumentException("unknown world size --" + e.getKey() + "; the sizes are " + knobs.keySet());
            }
            knobs.put(e.getKey(), old instanceof Integer ? wholeNumber(e.getKey(), e.getValue()) : e.getValue());
        }
        RecordComponent[] components = WorldSize.class.getRecordComponents();
        Class<?>[] types = new Class<?>[components.length];
        Object[] values = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            Object value = knobs.get(flagName(components[i].getName()));
            values[i] = types[i] == SolutionStyle.class ? style((String) value) : value;
        }
        try {
            Constructor<WorldSize> canonical = WorldSize.class.getDeclaredConstructor(types);
            return canonical.newInstance(values);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IllegalArgumentException bad) {
                throw bad;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** "articlesPerCountry" → "articles-per-country". */
    static String flagName(String component) {
        return component.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
    }

    private static int wholeNumber(String flag, String text) {
        try {
            return Integer.parseInt(text.strip().replace("_", "").replace(",", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + flag + " expects a whole number, found \"" + text + "\"");
        }
    }

    private static SolutionStyle style(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "compact" -> SolutionStyle.COMPACT;
            case "columns" -> SolutionStyle.COLUMNS;
            default -> throw new IllegalArgumentException("--solution-style expects compact or columns, found \"" + text + "\"");
        };
    }

    private static void positive(String flag, int value) {
        if (value < 1) {
            throw new IllegalArgumentException("--" + flag + " must be at least 1, found " + value);
        }
    }

    private static void atLeastZero(String flag, int value) {
        if (value < 0) {
            throw new IllegalArgumentException("--" + flag + " must not be negative, found " + value);
        }
    }
}
