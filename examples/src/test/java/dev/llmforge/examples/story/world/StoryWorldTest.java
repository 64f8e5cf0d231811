package dev.llmforge.examples.story.world;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmforge.alignment.answers.AnswerChecker;
import dev.llmforge.alignment.eval.EvalRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoryWorldTest {
    private static final List<String> FILES = List.of(StoryWorld.PRETRAIN, StoryWorld.SFT, StoryWorld.SFT_QA, StoryWorld.EVAL_FACTS,
            StoryWorld.EVAL_AGES, StoryWorld.EVAL_RECALL, StoryWorld.FEW_SHOT, StoryWorld.TRAIN_PROMPTS, StoryWorld.COUNTRIES,
            StoryWorld.RL_PROMPTS, StoryWorld.EVAL_FACTS_RL, StoryWorld.EVAL_FACTS_UNSEEN, StoryWorld.MANIFEST);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Path world;
    static StoryWorld.Summary summary;

    @BeforeAll
    static void generate() throws Exception {
        world = dir.resolve("world");
        summary = StoryWorld.generate(WorldSize.quick(), 1337, world);
    }

    @Test
    void theSameSeedGivesTheSameBytes() throws Exception {
        Path again = dir.resolve("again");
        StoryWorld.generate(WorldSize.quick(), 1337, again);
        for (String file : FILES) {
            assertArrayEquals(Files.readAllBytes(world.resolve(file)), Files.readAllBytes(again.resolve(file)), file);
        }
        try (Stream<Path> written = Files.list(world)) {
            assertEquals(Set.copyOf(FILES), written.map(p -> p.getFileName().toString()).collect(Collectors.toSet()),
                    "exactly the world's files, no temporary ones");
        }
        Path other = dir.resolve("other-seed");
        StoryWorld.generate(WorldSize.quick(), 1338, other);
        assertFalse(Files.readString(other.resolve(StoryWorld.PRETRAIN)).equals(Files.readString(world.resolve(StoryWorld.PRETRAIN))));
    }

    @Test
    void heldOutCountriesNeverAppearInSft() throws Exception {
        List<Country> heldOut = new ArrayList<>();
        for (JsonNode c : lines(StoryWorld.COUNTRIES)) {
            if (c.get("held_out").asBoolean()) {
                heldOut.add(CountryTable.withCapital().stream().filter(t -> t.code().equals(c.get("code").asText())).findFirst().orElseThrow());
            }
        }
        assertEquals(12, heldOut.size());
        Set<String> forbidden = new HashSet<>();
        for (Country c : heldOut) {
            for (Fact fact : Fact.values()) {
                forbidden.add(fact.answerSentence(c));
                for (int i = 0; i < fact.questionCount(); i++) {
                    forbidden.add(fact.question(c, i));
                }
            }
        }
        int factConversations = 0;
        for (JsonNode line : lines(StoryWorld.SFT)) {
            JsonNode messages = line.get("messages");
            assertEquals("user", messages.get(0).get("role").asText());
            assertEquals("assistant", messages.get(1).get("role").asText());
            assertFalse(forbidden.contains(messages.get(0).get("content").asText()), line.toString());
            assertFalse(forbidden.contains(messages.get(1).get("content").asText()), line.toString());
            factConversations += messages.get(1).get("content").asText().contains(" capital is ") ? 1 : 0;
        }
        assertTrue(factConversations > 100, "the check saw fact conversations: " + factConversations);
        String pretrain = Files.readString(world.resolve(StoryWorld.PRETRAIN));
        for (Country c : heldOut) {
            assertTrue(pretrain.contains("\n" + c.name() + "\n"), "an article about " + c.name());
        }
        List<EvalRecord> facts = EvalRecord.read(world.resolve(StoryWorld.EVAL_FACTS));
        assertEquals(4 * 12, facts.size());
        for (EvalRecord r : facts) {
            assertTrue(pretrain.contains(r.answer()), "the base model can learn " + r.answer());
        }
        List<EvalRecord> recall = EvalRecord.read(world.resolve(StoryWorld.EVAL_RECALL));
        assertEquals(48, recall.size(), "every country of the quick world");
        Set<String> heldOutCloze = new HashSet<>();
        for (Country c : heldOut) {
            heldOutCloze.add("The capital of " + c.inSentence() + " is|" + c.capital());
        }
        for (int i = 0; i < heldOut.size(); i++) {
            assertEquals("held-out", recall.get(i).kind());
            assertTrue(heldOutCloze.remove(recall.get(i).question() + "|" + recall.get(i).answer()), recall.get(i).toString());
        }
        assertEquals("training", recall.get(heldOut.size()).kind());
    }

    @Test
    void heldOutAgeProblemsShareNoNumbersWithAnyTrainingProblem() throws Exception {
        List<EvalRecord> ages = EvalRecord.read(world.resolve(StoryWorld.EVAL_AGES));
        assertEquals("When I was 6 my sister was half my age. Now I'm 70 how old is my sister?", ages.get(0).question());
        assertEquals("67", ages.get(0).answer());
        List<String> heldOut = AgeQuestionReader.numbers(String.join("\n", ages.stream().map(EvalRecord::question).toList()));
        assertEquals(60, heldOut.size(), "every held-out question read");
        assertEquals(60, new HashSet<>(heldOut).size(), "held-out problems differ from each other in their numbers");
        List<String> sft = AgeQuestionReader.numbers(Files.readString(world.resolve(StoryWorld.SFT_QA)));
        List<String> pretrain = AgeQuestionReader.numbers(Files.readString(world.resolve(StoryWorld.PRETRAIN)));
        assertEquals(600, sft.size(), "every SFT age question read");
        assertTrue(pretrain.size() > 800, "worked problems and worksheet items read: " + pretrain.size());
        for (String numbers : heldOut) {
            assertFalse(sft.contains(numbers), numbers);
            assertFalse(pretrain.contains(numbers), numbers);
        }
    }

    /**
     * The held-out countries split in two, alternating: reinforcement learning's prompts ask about the first half
     * only (every phrasing), the unseen half's questions are nowhere in them, and the two halves' held-out questions
     * are eval-facts.jsonl's, each once.
     */
    @Test
    void reinforcementPromptsAskAboutHalfTheHeldOutCountriesAndNeverAboutTheUnseenHalf() throws Exception {
        JsonNode manifest = JSON.readTree(world.resolve(StoryWorld.MANIFEST).toFile());
        List<String> heldOut = names(manifest.get("held_out_countries"));
        List<String> rl = names(manifest.get("rl_countries"));
        List<String> unseen = names(manifest.get("unseen_countries"));
        assertEquals(12, heldOut.size());
        for (int i = 0; i < heldOut.size(); i++) {
            assertTrue((i % 2 == 0 ? rl : unseen).contains(heldOut.get(i)), heldOut.get(i));
        }
        assertEquals(6, rl.size());
        assertEquals(6, unseen.size());
        List<EvalRecord> prompts = EvalRecord.read(world.resolve(StoryWorld.RL_PROMPTS));
        int phrasings = Stream.of(Fact.values()).mapToInt(Fact::questionCount).sum();
        assertEquals(rl.size() * phrasings, prompts.size(), "every phrasing of every fact of every RL country");
        assertEquals(prompts.size(), prompts.stream().map(EvalRecord::question).distinct().count());
        for (EvalRecord r : prompts) {
            assertTrue(rl.stream().anyMatch(n -> r.question().contains(n)), r.question());
            assertFalse(unseen.stream().anyMatch(n -> r.question().contains(n)), r.question());
        }
        List<EvalRecord> rlFacts = EvalRecord.read(world.resolve(StoryWorld.EVAL_FACTS_RL));
        List<EvalRecord> unseenFacts = EvalRecord.read(world.resolve(StoryWorld.EVAL_FACTS_UNSEEN));
        assertTrue(unseenFacts.stream().allMatch(r -> unseen.stream().anyMatch(n -> r.question().contains(n))), unseenFacts.toString());
        Set<String> promptQuestions = prompts.stream().map(EvalRecord::question).collect(Collectors.toSet());
        assertTrue(rlFacts.stream().allMatch(r -> promptQuestions.contains(r.question())), "the RL countries' held-out phrasings are among the prompts");
        assertEquals(Set.copyOf(EvalRecord.read(world.resolve(StoryWorld.EVAL_FACTS))),
                Stream.concat(rlFacts.stream(), unseenFacts.stream()).collect(Collectors.toSet()));
        assertEquals(rl.size() * Fact.values().length, rlFacts.size());
        assertEquals(unseen.size() * Fact.values().length, unseenFacts.size());
    }

    private static List<String> names(JsonNode array) {
        List<String> names = new ArrayList<>();
        array.forEach(n -> names.add(n.asText()));
        return names;
    }

    @Test
    void trainingPromptsComeFromTheTrainingSideOnly() throws Exception {
        List<EvalRecord> prompts = EvalRecord.read(world.resolve(StoryWorld.TRAIN_PROMPTS));
        List<EvalRecord> ages = prompts.stream().filter(r -> "age".equals(r.kind())).toList();
        assertEquals(36 + 60, prompts.size(), "one fact question per training country, as many age problems as held out");
        assertEquals(60, ages.size());
        List<String> heldOutNumbers = AgeQuestionReader.numbers(Files.readString(world.resolve(StoryWorld.EVAL_AGES)));
        for (String numbers : AgeQuestionReader.numbers(String.join("\n", ages.stream().map(EvalRecord::question).toList()))) {
            assertFalse(heldOutNumbers.contains(numbers), numbers);
        }
        Set<String> heldOutQuestions = new HashSet<>();
        for (JsonNode c : lines(StoryWorld.COUNTRIES)) {
            if (c.get("held_out").asBoolean()) {
                Country country = CountryTable.withCapital().stream().filter(t -> t.code().equals(c.get("code").asText())).findFirst().orElseThrow();
                for (Fact fact : Fact.values()) {
                    for (int i = 0; i < fact.questionCount(); i++) {
                        heldOutQuestions.add(fact.question(country, i));
                    }
                }
            }
        }
        for (EvalRecord r : prompts) {
            assertFalse(heldOutQuestions.contains(r.question()), r.question());
        }
    }

    @Test
    void theSeedsExamplesAndTheFormats() throws Exception {
        List<String> qa = List.of(Files.readString(world.resolve(StoryWorld.SFT_QA)).split("\n\n"));
        assertEquals("Q: What's the capital of China?\nA: China's capital is Beijing.", qa.get(0));
        assertEquals(summary.conversations(), qa.size());
        assertEquals(600 + 600 + 60 + 1, summary.conversations());
        assertTrue(qa.stream().anyMatch(c -> c.startsWith("Q: Explain ") && !c.contains("moon landing")));
        assertTrue(qa.stream().noneMatch(c -> c.contains("moon landing")), "the moon landing is kept for the report");
        String pretrain = Files.readString(world.resolve(StoryWorld.PRETRAIN));
        assertTrue(pretrain.contains("\nAnswer key\n1. "), "answer keys");
        assertTrue(pretrain.contains("\nSolution: When I was "), "worked problems");
        assertTrue(pretrain.contains("Country | Capital | Continent | Currency | Language\n"), "tables");
        assertTrue(pretrain.matches("(?s).*\\n(Worksheet|Homework|Quiz|Practice questions) \\d+\\n(1\\. |Q: ).*"), "worksheets");
        assertFalse(pretrain.contains("\nA: "), "no answered Q&A in pretraining: the base model does not learn to answer");

        List<EvalRecord> fewShot = EvalRecord.read(world.resolve(StoryWorld.FEW_SHOT));
        assertEquals(8, fewShot.size());
        Set<String> evalQuestions = new HashSet<>();
        for (String file : List.of(StoryWorld.EVAL_FACTS, StoryWorld.EVAL_AGES)) {
            EvalRecord.read(world.resolve(file)).forEach(r -> evalQuestions.add(r.question()));
        }
        for (EvalRecord r : fewShot) {
            assertFalse(evalQuestions.contains(r.question()), r.question());
            assertTrue(r.solution() != null && AnswerChecker.isCorrect(r.question(), r.answer(), r.solution()),
                    r.toString());
        }
        JsonNode manifest = JSON.readTree(world.resolve(StoryWorld.MANIFEST).toFile());
        assertEquals(1337, manifest.get("seed").asLong());
        assertEquals(48, manifest.get("size").get("countries").asInt());
        assertEquals(summary.pretrainCharacters(), manifest.get("counts").get("pretrain_characters").asLong());
        assertEquals(12, manifest.get("held_out_countries").size());
    }

    /** The full preset's split, without writing its files: at least 300 held-out questions of each kind. */
    @Test
    void theFullWorldHoldsOutEnough() {
        WorldSplit split = new WorldSplit(CountryTable.withCapital(), WorldSize.full(), 1337);
        assertEquals(247, split.all().size());
        assertEquals(80, split.heldOut().size());
        assertTrue(split.training().stream().anyMatch(c -> c.code().equals("CN")));
        assertTrue(split.heldOut().stream().noneMatch(WorldSplit::nameAndCapitalOverlap));
        assertTrue(EvaluationSets.heldOutFacts(split, 1337).size() >= 300);
        assertTrue(EvaluationSets.heldOutAges(split).size() >= 300);
    }

    private static List<JsonNode> lines(String file) throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : Files.readAllLines(world.resolve(file))) {
            nodes.add(JSON.readTree(line));
        }
        return nodes;
    }
}
