package dev.llmforge.examples.story.world;

import java.util.List;
import java.util.Set;

/**
 * The facts the world knows about one country or territory, with the readable names of its currency and
 * languages, and the phrasing English needs around its name ("the Bahamas", "the United States' capital").
 *
 * @param code      ISO 3166-1 alpha-2 code
 * @param name      English short name, as the CSV gives it
 * @param capital   capital city
 * @param continent continent
 * @param currency  the name of its first listed currency
 * @param languages the names of its languages, in the CSV's order (the first is the one questions ask for)
 */
public record Country(String code, String name, String capital, String continent, String currency, List<String> languages) {
    /** The names of the table that English writes with "the" ("the Bahamas", "the United States"). */
    private static final Set<String> NAMES_WITH_THE = Set.of("Bahamas", "British Indian Ocean Territory",
            "British Virgin Islands", "Cayman Islands", "Central African Republic", "Cocos (Keeling) Islands", "Comoros",
            "Cook Islands", "Democratic Republic of the Congo", "Dominican Republic", "Falkland Islands", "Faroe Islands",
            "French Southern Territories", "Gambia", "Isle of Man", "Maldives", "Marshall Islands", "Netherlands",
            "Northern Mariana Islands", "Philippines", "Pitcairn Islands", "Republic of the Congo", "Seychelles",
            "Solomon Islands", "Turks and Caicos Islands", "U.S. Virgin Islands", "United Arab Emirates", "United Kingdom",
            "United States");

    public Country {
        languages = List.copyOf(languages);
    }

    /** The name as it stands inside a sentence: "China", "the United States". */
    public String inSentence() {
        return NAMES_WITH_THE.contains(name) ? "the " + name : name;
    }

    /** The name with a capital letter, to open a sentence: "China", "The United States". */
    public String atSentenceStart() {
        return capitalizeFirst(inSentence());
    }

    /** The possessive inside a sentence: "China's", "the United States'". */
    public String possessive() {
        String subject = inSentence();
        return subject.endsWith("s") ? subject + "'" : subject + "'s";
    }

    /** The possessive opening a sentence: "China's", "The United States'". */
    public String possessiveAtSentenceStart() {
        return capitalizeFirst(possessive());
    }

    /** The first listed language: what "What language is spoken in X?" expects. */
    public String mainLanguage() {
        return languages.get(0);
    }

    /** The languages as an English list: "Hindi", "Hindi and English", "Dutch, French and German". */
    public String languageList() {
        return englishList(languages);
    }

    static String englishList(List<String> items) {
        if (items.size() == 1) {
            return items.get(0);
        }
        return String.join(", ", items.subList(0, items.size() - 1)) + " and " + items.get(items.size() - 1);
    }

    static String capitalizeFirst(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}
