package dev.llmforge.examples.story.world;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The four facts the world states about every country, each with the questions that ask for it, the answer an
 * assistant gives, and the sentences an encyclopedia states it in.
 */
public enum Fact {
    CAPITAL(Country::capital,
            List.of("What's the capital of %s?", "What is the capital of %s?", "Which city is the capital of %s?"),
            c -> c.possessiveAtSentenceStart() + " capital is " + c.capital() + ".",
            List.of(c -> "The capital of " + c.inSentence() + " is " + c.capital() + ".",
                    c -> c.capital() + " is the capital of " + c.inSentence() + ".",
                    c -> c.possessiveAtSentenceStart() + " capital is " + c.capital() + ".",
                    c -> c.capital() + " is the capital city of " + c.inSentence() + ".")),
    CONTINENT(Country::continent,
            List.of("Which continent is %s in?", "On which continent is %s?", "Where is %s?"),
            c -> c.atSentenceStart() + " is in " + c.continent() + ".",
            List.of(c -> c.atSentenceStart() + " is in " + c.continent() + ".",
                    c -> c.atSentenceStart() + " lies in " + c.continent() + ".",
                    c -> c.atSentenceStart() + " is a place in " + c.continent() + ".")),
    CURRENCY(Country::currency,
            List.of("What currency is used in %s?", "What is the currency of %s?", "What money do people use in %s?"),
            c -> c.possessiveAtSentenceStart() + " currency is the " + c.currency() + ".",
            List.of(c -> "The currency of " + c.inSentence() + " is the " + c.currency() + ".",
                    c -> c.atSentenceStart() + " uses the " + c.currency() + ".",
                    c -> "In " + c.inSentence() + ", people pay with the " + c.currency() + ".")),
    LANGUAGE(Country::mainLanguage,
            List.of("What language is spoken in %s?", "Which language do people speak in %s?"),
            c -> "People in " + c.inSentence() + " speak " + c.languageList() + ".",
            List.of(c -> "People in " + c.inSentence() + " speak " + c.languageList() + ".",
                    c -> (c.languages().size() == 1 ? "The language of " : "The languages of ") + c.inSentence()
                            + (c.languages().size() == 1 ? " is " : " are ") + c.languageList() + ".",
                    c -> c.languageList() + (c.languages().size() == 1 ? " is" : " are") + " spoken in " + c.inSentence() + "."));

    private final Function<Country, String> answer;
    private final List<String> questions;
    private final Function<Country, String> answerSentence;
    private final List<Function<Country, String>> statements;

    Fact(Function<Country, String> answer, List<String> questions, Function<Country, String> answerSentence,
            List<Function<Country, String>> statements) {
        this.answer = answer;
        this.questions = questions;
        this.answerSentence = answerSentence;
        this.statements = statements;
    }

    /** The short expected answer an evaluation checks for: "Beijing", "Asia", "Chinese Yuan", "Chinese". */
    public String answer(Country country) {
        return answer.apply(country);
    }

    /** How many ways of asking there are. */
    public int questionCount() {
        return questions.size();
    }

    /** The question in phrasing {@code phrasing} (0 is the seed's: "What's the capital of China?"). */
    public String question(Country country, int phrasing) {
        return String.format(Locale.ROOT, questions.get(phrasing), country.inSentence());
    }

    /** The assistant's answer: "China's capital is Beijing." (the seed's form). */
    public String answerSentence(Country country) {
        return answerSentence.apply(country);
    }

    /** How many encyclopedia phrasings there are. */
    public int statementCount() {
        return statements.size();
    }

    /** The fact as encyclopedia sentence number {@code phrasing}. */
    public String statement(Country country, int phrasing) {
        return statements.get(phrasing).apply(country);
    }

    /** The name used in files: "capital", "continent", "currency", "language". */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
