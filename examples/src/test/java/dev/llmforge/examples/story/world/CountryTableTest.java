package dev.llmforge.examples.story.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.alignment.answers.AnswerChecker;
import dev.llmforge.alignment.answers.AnswerText;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class CountryTableTest {
    private static final List<Country> TABLE = CountryTable.withCapital();

    @Test
    void everyCountryWithACapitalIsRead() {
        assertEquals(247, TABLE.size(), "252 rows, 5 without a capital");
        Country china = find("CN");
        assertEquals(new Country("CN", "China", "Beijing", "Asia", "Chinese Yuan", List.of("Chinese")), china);
        assertEquals("Swiss Franc", find("CH").currency(), "the first of CHF,CHE,CHW");
        assertEquals(List.of("Afrikaans", "English", "South Ndebele", "Southern Sotho", "Swati", "Tswana", "Tsonga", "Venda",
                "Xhosa", "Zulu"), find("ZA").languages());
        assertEquals("St. George's", find("GD").capital());
        assertEquals("Brasília", find("BR").capital());
        assertTrue(TABLE.stream().noneMatch(c -> c.code().equals("AQ")), "Antarctica has no capital");
    }

    @Test
    void namesReadAsEnglish() {
        assertEquals("China's", find("CN").possessive());
        assertEquals("The United States'", find("US").possessiveAtSentenceStart());
        assertEquals("the Bahamas", find("BS").inSentence());
        assertEquals("South Georgia and the South Sandwich Islands", find("GS").inSentence());
        assertEquals("Dutch, French and German", find("BE").languageList());
        assertEquals("Hindi and English", find("IN").languageList());
    }

    /**
     * "What's the capital of X?" and the other questions, for every country of the table: the assistant's answer
     * is scored right, and the same sentence with another country's fact is scored wrong.
     */
    @Test
    void theCheckerScoresEveryQuestionOfEveryCountry() {
        Map<Fact, Function<Country, Country>> withOthersFact = Map.of(
                Fact.CAPITAL, c -> new Country(c.code(), c.name(), other(c, Fact.CAPITAL).capital(), c.continent(), c.currency(), c.languages()),
                Fact.CONTINENT, c -> new Country(c.code(), c.name(), c.capital(), other(c, Fact.CONTINENT).continent(), c.currency(), c.languages()),
                Fact.CURRENCY, c -> new Country(c.code(), c.name(), c.capital(), c.continent(), other(c, Fact.CURRENCY).currency(), c.languages()),
                Fact.LANGUAGE, c -> new Country(c.code(), c.name(), c.capital(), c.continent(), c.currency(), other(c, Fact.LANGUAGE).languages()));
        int checked = 0;
        for (Country c : TABLE) {
            for (Fact fact : Fact.values()) {
                for (int phrasing = 0; phrasing < fact.questionCount(); phrasing++) {
                    String question = fact.question(c, phrasing);
                    String expected = fact.answer(c);
                    assertTrue(AnswerChecker.isCorrect(question, expected, fact.answerSentence(c)), question);
                    String wrong = fact.answerSentence(withOthersFact.get(fact).apply(c));
                    assertFalse(AnswerChecker.isCorrect(question, expected, wrong), question + " / " + wrong);
                    checked++;
                }
            }
        }
        assertEquals(247 * 11, checked);
        assertTrue(AnswerChecker.isCorrect("What's the capital of China?", "Beijing", "China's capital is Beijing."));
    }

    /** The first country after {@code c} whose value of {@code fact} does not contain {@code c}'s answer. */
    private static Country other(Country c, Fact fact) {
        int at = TABLE.indexOf(c);
        for (int i = 1; i < TABLE.size(); i++) {
            Country candidate = TABLE.get((at + i) % TABLE.size());
            String value = fact == Fact.LANGUAGE ? candidate.languageList() : fact.answer(candidate);
            if (AnswerText.occurrences(fact.answer(c), value) == 0) {
                return candidate;
            }
        }
        throw new AssertionError("no other value for " + c);
    }

    private static Country find(String code) {
        return TABLE.stream().filter(c -> c.code().equals(code)).findFirst().orElseThrow();
    }
}
