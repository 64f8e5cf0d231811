package dev.llmforge.examples.story.world;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds age questions in text by their sentence forms, written independently of the generator, and reads their
 * numbers as "relation|A|K|B" (K = 0 for half, a third, twice).
 */
final class AgeQuestionReader {
    private static final String RELATION = "(?<relation>half my age|a third of my age|twice my age|\\d+ years? (?:older|younger) than me)";
    private static final List<Pattern> FORMS = List.of(
            Pattern.compile("When I was (?<a>\\d+) my \\w+ was " + RELATION + "\\. Now I'm (?<b>\\d+) how old is my \\w+\\?"),
            Pattern.compile("When I was (?<a>\\d+), my \\w+ was " + RELATION + "\\. Now I'm (?<b>\\d+)\\. How old is my \\w+\\?"),
            Pattern.compile("When I was (?<a>\\d+) years old, my \\w+ was " + RELATION + "\\. I am (?<b>\\d+) now\\. How old is my \\w+\\?"),
            Pattern.compile("My \\w+ was " + RELATION + " when I was (?<a>\\d+)\\. Now I'm (?<b>\\d+)\\. How old is my \\w+ now\\?"));
    private static final Pattern YEARS = Pattern.compile("(\\d+) years? (older|younger) than me");

    private AgeQuestionReader() {
    }

    /** The numbers of every age question in {@code text}. */
    static List<String> numbers(String text) {
        List<String> found = new ArrayList<>();
        for (Pattern form : FORMS) {
            Matcher m = form.matcher(text);
            while (m.find()) {
                String relation = m.group("relation");
                Matcher years = YEARS.matcher(relation);
                String key = years.matches() ? years.group(2) + "|" + m.group("a") + "|" + years.group(1)
                        : relation + "|" + m.group("a") + "|0";
                found.add(key + "|" + m.group("b"));
            }
        }
        return found;
    }
}
