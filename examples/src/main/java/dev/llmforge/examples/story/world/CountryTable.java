package dev.llmforge.examples.story.world;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The countries of {@code countries.csv} (npm countries-list 3.4.1, MIT; see {@code data/DATA.md}) that have a
 * capital — 247 of its 252 rows — in the file's order (by ISO code). The CSV gives currencies and languages as
 * codes; they are turned into English names with two tables shipped beside it ({@code currency-names.csv},
 * ISO 4217, and {@code language-names.csv}, ISO 639-1, both taken from the JDK's English display names with a
 * few corrected). A country with several currencies keeps the first (the CSV lists the main one first, e.g.
 * "CHF,CHE,CHW" for Switzerland); every language is kept, in the CSV's order.
 */
public final class CountryTable {
    static final String DIRECTORY = "/data/world-facts/";
    static final String COUNTRIES = DIRECTORY + "countries.csv";
    private static final List<String> COUNTRY_HEADER =
            List.of("Code", "Name", "Native", "Phone", "Continent", "Capital", "Currency", "Languages");
    private static final List<String> NAME_HEADER = List.of("Code", "Name");

    private CountryTable() {
    }

    /** Every country with a capital, in the CSV's order. */
    public static List<Country> withCapital() {
        Map<String, String> currencies = names(DIRECTORY + "currency-names.csv");
        Map<String, String> languages = names(DIRECTORY + "language-names.csv");
        List<Country> countries = new ArrayList<>();
        int line = 1;
        for (List<String> row : Csv.read(COUNTRIES, COUNTRY_HEADER)) {
            line++;
            String capital = row.get(5);
            if (capital.isEmpty()) {
                continue;
            }
            String where = COUNTRIES + ":" + line;
            String currency = lookUp(currencies, row.get(6).split(",")[0], "currency", where);
            List<String> spoken = new ArrayList<>();
            for (String code : row.get(7).split(",")) {
                spoken.add(lookUp(languages, code, "language", where));
            }
            countries.add(new Country(row.get(0), row.get(1), capital, row.get(4), currency, spoken));
        }
        return countries;
    }

    private static Map<String, String> names(String resource) {
        Map<String, String> names = new HashMap<>();
        for (List<String> row : Csv.read(resource, NAME_HEADER)) {
            names.put(row.get(0), row.get(1));
        }
        return names;
    }

    private static String lookUp(Map<String, String> names, String code, String what, String where) {
        String name = names.get(code);
        if (name == null) {
            throw new IllegalStateException(where + ": no English name for the " + what + " code \"" + code + "\"");
        }
        return name;
    }
}
