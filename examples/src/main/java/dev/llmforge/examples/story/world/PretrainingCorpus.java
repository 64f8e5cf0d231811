package dev.llmforge.examples.story.world;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The story's "internet": the documents a base model is pretrained on. Four kinds, shuffled together:
 *
 * <ul>
 *   <li><b>articles</b> — a country's name, then its four facts in encyclopedia sentences (order and wording
 *       drawn at random), {@code articlesPerCountry} per country, held-out countries included;
 *   <li><b>tables</b> — "Country | Capital | Continent | Currency | Language" rows, 8 a table;
 *   <li><b>worksheets</b> — a heading, then questions and instructions one after another without answers (fact
 *       questions about any country, training age problems, "Explain ... to a 6 year old."), numbered or as
 *       "Q:" lines; some followed by their answer key (the answers as sentences: "Peru's capital is Lima.",
 *       "The answer is 34.") — what makes a base model follow a question with another question;
 *   <li><b>worked problems</b> — "Problem: ..." and "Solution: ..." with the reasoning written out, one to three a
 *       document.
 * </ul>
 *
 * Documents are separated by a blank line. No held-out age problem appears anywhere.
 */
final class PretrainingCorpus {
    private static final String[] WORKSHEET_HEADINGS = {"Worksheet %d", "Homework %d", "Quiz %d", "Practice questions %d"};
    private static final int ROWS_PER_TABLE = 8;

    private final WorldSplit split;
    private final WorldSize size;
    private final WorldRandom random;
    private final List<String> documents = new ArrayList<>();

    private PretrainingCorpus(WorldSplit split, WorldSize size, long seed) {
        this.split = split;
        this.size = size;
        this.random = WorldRandom.stream(seed, "pretraining");
    }

    /** The documents, shuffled. */
    static List<String> documents(WorldSplit split, WorldSize size, long seed) {
        PretrainingCorpus corpus = new PretrainingCorpus(split, size, seed);
        corpus.addArticles();
        corpus.addTables();
        corpus.addWorksheets();
        corpus.addWorkedProblems();
        return corpus.random.shuffled(corpus.documents);
    }

    private void addArticles() {
        for (int copy = 0; copy < size.articlesPerCountry(); copy++) {
            for (Country c : split.all()) {
                StringBuilder article = new StringBuilder(c.name()).append('\n');
                List<Fact> facts = random.shuffled(List.of(Fact.values()));
                for (int i = 0; i < facts.size(); i++) {
                    Fact fact = facts.get(i);
                    article.append(i == 0 ? "" : " ").append(fact.statement(c, random.below(fact.statementCount())));
                }
                documents.add(article.toString());
            }
        }
    }

    private void addTables() {
        List<Country> rows = new ArrayList<>();
        for (int copy = 0; copy < size.tableRowsPerCountry(); copy++) {
            rows.addAll(split.all());
        }
        rows = random.shuffled(rows);
        for (int start = 0; start < rows.size(); start += ROWS_PER_TABLE) {
            StringBuilder table = new StringBuilder("Country | Capital | Continent | Currency | Language");
            for (Country c : rows.subList(start, Math.min(rows.size(), start + ROWS_PER_TABLE))) {
                table.append('\n').append(String.join(" | ", c.name(), c.capital(), c.continent(), c.currency(), c.mainLanguage()));
            }
            documents.add(table.toString());
        }
    }

    private void addWorksheets() {
        for (int sheet = 1; sheet <= size.worksheets(); sheet++) {
            boolean qLines = random.chance(1.0 / 3);
            StringBuilder questions = new StringBuilder(String.format(Locale.ROOT,
                    WORKSHEET_HEADINGS[random.below(WORKSHEET_HEADINGS.length)], sheet));
            StringBuilder key = new StringBuilder("Answer key");
            for (int item = 1; item <= size.itemsPerWorksheet(); item++) {
                String[] questionAndAnswer = worksheetItem();
                questions.append('\n').append(qLines ? "Q: " : item + ". ").append(questionAndAnswer[0]);
                key.append('\n').append(item).append(". ").append(questionAndAnswer[1]);
            }
            if (random.below(100) < size.answerKeyPercent()) {
                questions.append("\n\n").append(key);
            }
            documents.add(questions.toString());
        }
    }

    /** A worksheet item and its answer-key line: a fact question (45%), an age problem (35%) or an instruction. */
    private String[] worksheetItem() {
        int kind = random.below(100);
        if (kind < 45) {
            Country c = random.pick(split.all());
            Fact fact = random.pick(Fact.values());
            return new String[] {fact.question(c, random.below(fact.questionCount())), fact.answerSentence(c)};
        }
        if (kind < 80) {
            AgeProblem p = split.trainingProblem(random);
            return new String[] {p.question(), "The answer is " + p.answer() + "."};
        }
        String topic = random.chance(0.5) ? random.pick(Explanations.UNANSWERED) : random.pick(Explanations.ANSWERED).topic();
        return new String[] {Explanations.instruction(topic, Explanations.childAge(random)), "Answers will vary."};
    }

    private void addWorkedProblems() {
        int left = size.workedProblems();
        while (left > 0) {
            int count = Math.min(left, random.between(1, 3));
            StringBuilder doc = new StringBuilder();
            for (int i = 0; i < count; i++) {
                AgeProblem p = split.trainingProblem(random);
                doc.append(i == 0 ? "" : "\n\n").append("Problem: ").append(p.question())
                        .append("\nSolution: ").append(p.solution(size.solutionStyle()));
            }
            documents.add(doc.toString());
            left -= count;
        }
    }
}
