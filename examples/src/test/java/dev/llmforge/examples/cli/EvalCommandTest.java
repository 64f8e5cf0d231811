package dev.llmforge.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmforge.alignment.eval.EvalPrompt;
import dev.llmforge.alignment.eval.EvalSummary;
import dev.llmforge.examples.cli.CliSmokeTest.Run;
import dev.llmforge.examples.story.world.Country;
import dev.llmforge.examples.story.world.CountryTable;
import dev.llmforge.io.Checkpoint;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tokenizer.CharTokenizer;
import dev.llmforge.tokenizer.SpecialTokens;
import dev.llmforge.tokenizer.TokenizerFiles;
import dev.llmforge.training.NamedModel;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingCheckpoint;
import dev.llmforge.training.TrainingConfig;
import dev.llmforge.training.TrainingState;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code llmforge eval} in-process on a tiny random model (reference backend): it takes age questions written by
 * hand in every sentence form of the family and "What's the capital of X?" for every country of the table, writes
 * one result per question, and reports bad records by file and line.
 */
class EvalCommandTest {
    /** Written by hand, answers worked out by hand: the family's four sentence forms and five relations. */
    static final String[][] AGE_QUESTIONS = {
            {"When I was 6 my sister was half my age. Now I'm 70 how old is my sister?", "67"},
            {"When I was 9 my brother was a third of my age. Now I'm 40 how old is my brother?", "34"},
            {"When I was 5 my cousin was twice my age. Now I'm 21 how old is my cousin?", "26"},
            {"When I was 8 my friend was 3 years older than me. Now I'm 50 how old is my friend?", "53"},
            {"When I was 12 my sister was 1 year younger than me. Now I'm 44 how old is my sister?", "43"},
            {"When I was 10, my brother was half my age. Now I'm 31. How old is my brother?", "26"},
            {"When I was 7 years old, my friend was twice my age. I am 20 now. How old is my friend?", "27"},
            {"My cousin was 4 years younger than me when I was 15. Now I'm 60. How old is my cousin now?", "56"}};

    @TempDir
    static Path dir;
    static Path checkpoint;
    static Path tasks;
    static int questions;

    @BeforeAll
    static void tinyCheckpointAndTasks() throws Exception {
        ObjectMapper json = new ObjectMapper();
        StringBuilder file = new StringBuilder();
        for (String[] qa : AGE_QUESTIONS) {
            file.append(json.writeValueAsString(Map.of("question", qa[0], "answer", qa[1], "kind", "age"))).append('\n');
            questions++;
        }
        for (Country c : CountryTable.withCapital()) {
            file.append(json.writeValueAsString(Map.of("question", "What's the capital of " + c.inSentence() + "?",
                    "answer", c.capital()))).append('\n');
            questions++;
        }
        tasks = dir.resolve("tasks").resolve("hand-written.jsonl");
        Files.createDirectories(tasks.getParent());
        Files.writeString(tasks, file, StandardCharsets.UTF_8);

        String builtInExemplars;
        try (InputStream in = EvalCommand.class.getResourceAsStream(EvalCommand.BUILT_IN_FEW_SHOT)) {
            builtInExemplars = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        CharTokenizer tokenizer = CharTokenizer.fromCorpus("Q: A:\n" + EvalPrompt.INSTRUCTION + file + builtInExemplars);
        checkpoint = dir.resolve("model");
        try (Gpt model = new Gpt(GptConfig.gpt2(tokenizer.vocabSize(), 512, 1, 2, 16), Backends.get("reference"), 7)) {
            Checkpoint.writer(checkpoint).model(model).tokenizerJson(TokenizerFiles.toJson(tokenizer)).write();
        }
    }

    private static List<JsonNode> lines(Path file) throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            nodes.add(new ObjectMapper().readTree(line));
        }
        return nodes;
    }

    @Test
    void everyHandWrittenQuestionIsAskedAndItsResultWritten() throws Exception {
        Path out = dir.resolve("zero-shot.jsonl");
        Run run = CliSmokeTest.run("eval", "--checkpoint", checkpoint.toString(), "--tasks", tasks.toString(), "--backend", "reference",
                "--max-new-tokens", "3", "--batch-size", "64", "--out", out.toString());
        assertEquals(0, run.exitCode(), run.toString());
        List<JsonNode> results = lines(out);
        assertEquals(questions, results.size());
        assertEquals(AGE_QUESTIONS.length + 247, questions, "every country of the table with a capital");
        List<String> asked = Files.readAllLines(tasks).stream().map(l -> {
            try {
                return new ObjectMapper().readTree(l).get("question").asText();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
        int correct = 0;
        int answered = 0;
        for (int i = 0; i < results.size(); i++) {
            assertEquals(i, results.get(i).get("index").asInt());
            assertEquals(asked.get(i), results.get(i).get("question").asText());
            correct += results.get(i).get("correct").asBoolean() ? 1 : 0;
            answered += results.get(i).get("answers").asBoolean() ? 1 : 0;
        }
        assertTrue(run.out().contains("accuracy: " + EvalSummary.proportion(correct, questions) + "\n"), run.toString());
        assertTrue(run.out().contains("answers rather than continues: " + EvalSummary.proportion(answered, questions) + "\n"), run.toString());
        assertTrue(run.out().contains("  age: accuracy "), run.toString());
        assertTrue(run.out().contains("prompts: zero-shot in the document layout; greedy"), run.toString());
    }

    @Test
    void chainOfThoughtWithBuiltInExemplarsAndVoting() throws Exception {
        Path ages = dir.resolve("ages.jsonl");
        Files.write(ages, Files.readAllLines(tasks).subList(0, 3));
        Run run = CliSmokeTest.run("eval", "--checkpoint", checkpoint.toString(), "--tasks", ages.toString(), "--backend", "reference",
                "--prompt-style", "cot", "--samples", "3", "--max-new-tokens", "4");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("few-shot exemplars: built in"), run.toString());
        assertTrue(run.out().contains("prompts: cot (3 exemplars) in the document layout; 3 sampled paths per question, temperature 0.7, top-k 40"),
                run.toString());
        List<JsonNode> results = lines(dir.resolve("eval-ages-cot-k3.jsonl"));
        assertEquals(3, results.size());
        // three worked age exemplars and the question take about 750 characters: more than this model's 512
        assertTrue(results.stream().allMatch(r -> r.get("prompt_tokens").asInt() > 512), results.toString());
        assertTrue(run.out().contains("3 prompts longer than the context of 512 tokens (the model read their last 512)"), run.toString());
        assertEquals(3, results.get(0).get("paths").size());
    }

    /** A checkpoint that {@code llmforge sft} could have written: the Q&A template saved with it. */
    static Path tuned(String name, long seed) throws Exception {
        Path tuned = dir.resolve(name);
        CharTokenizer tokenizer = CharTokenizer.fromCorpus("Q: A:\n" + Files.readString(tasks), List.of(SpecialTokens.END_OF_TEXT));
        try (Gpt model = new Gpt(GptConfig.gpt2(tokenizer.vocabSize(), 256, 1, 2, 16), Backends.get("reference"), seed)) {
            TrainingState state = new TrainingState(0, 0, "val_loss", Double.NaN, 0,
                    Map.of(Trainer.DEFAULT_MODEL, new TrainingState.ModelState(false, model.randomState())), List.of(), Map.of(), Map.of(),
                    TrainingConfig.nanoGptShakespeareChar(), Map.of(EvalCommand.SAVED_TEMPLATE, "qa"), Map.of());
            TrainingCheckpoint.write(tuned, List.of(new NamedModel(Trainer.DEFAULT_MODEL, model, false)), List.of(),
                    TokenizerFiles.toJson(tokenizer), state);
        }
        return tuned;
    }

    @Test
    void theTemplateAFineTunedCheckpointSavedIsUsed() throws Exception {
        Path tuned = tuned("tuned", 7);
        Path one = dir.resolve("one.jsonl");
        Files.write(one, Files.readAllLines(tasks).subList(0, 1));
        Run run = CliSmokeTest.run("eval", "--checkpoint", tuned.toString(), "--tasks", one.toString(), "--backend", "reference",
                "--max-new-tokens", "2");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("format: qa chat template (the template the checkpoint was fine-tuned with)"), run.toString());
        run = CliSmokeTest.run("eval", "--checkpoint", checkpoint.toString(), "--tasks", one.toString(), "--backend", "reference",
                "--max-new-tokens", "2");
        assertTrue(run.out().contains("format: document layout (a base model: no fine-tuning template saved with the checkpoint)"), run.toString());
    }

    /** A model against its own answers ties on every question and has no KL to itself; another file of questions is refused. */
    @Test
    void winRateAndKlAgainstAReference() throws Exception {
        Path tuned = tuned("tuned-kl", 7);
        Path ages = dir.resolve("ages.jsonl");
        Files.write(ages, Files.readAllLines(tasks).subList(0, AGE_QUESTIONS.length));
        Path own = dir.resolve("own.jsonl");
        Run run = CliSmokeTest.run("eval", "--checkpoint", tuned.toString(), "--tasks", ages.toString(), "--backend", "reference",
                "--max-new-tokens", "4", "--out", own.toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("labeler score: mean "), run.toString());
        for (JsonNode line : lines(own)) {
            assertTrue(line.get("tokens").asInt() >= 1 && line.get("tokens").asInt() <= 4, line.toString());
        }
        run = CliSmokeTest.run("eval", "--checkpoint", tuned.toString(), "--tasks", ages.toString(), "--backend", "reference",
                "--max-new-tokens", "4", "--out", dir.resolve("again.jsonl").toString(), "--against", own.toString(), "--kl-to", tuned.toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("labeler win rate against " + own + ": 0.500 (0 wins, " + AGE_QUESTIONS.length + " ties, 0 losses"), run.toString());
        assertTrue(run.out().contains("KL to " + tuned + ": 0.000 +- 0.000 nats per response (k1, " + AGE_QUESTIONS.length + " responses"), run.toString());

        Path fewer = dir.resolve("fewer.jsonl");
        Files.write(fewer, Files.readAllLines(tasks).subList(1, AGE_QUESTIONS.length + 1));
        run = CliSmokeTest.run("eval", "--checkpoint", tuned.toString(), "--tasks", fewer.toString(), "--backend", "reference",
                "--max-new-tokens", "4", "--out", dir.resolve("fewer-out.jsonl").toString(), "--against", own.toString());
        assertEquals(1, run.exitCode(), run.toString());
        assertTrue(run.err().contains(own + ": answer 1 is to \"" + AGE_QUESTIONS[0][0] + "\", expected one to \"" + AGE_QUESTIONS[1][0]), run.toString());
        run = CliSmokeTest.run("eval", "--checkpoint", checkpoint.toString(), "--tasks", ages.toString(), "--backend", "reference",
                "--kl-to", tuned.toString());
        assertTrue(run.err().contains("--kl-to samples answers in a chat template"), run.toString());
    }

    @Test
    void badRecordsAndFlagsAreNamed() throws Exception {
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"question\": \"What's the capital of Peru?\", \"answer\": \"Lima\"}\n{\"question\": \"How old?\"}\n");
        Run run = CliSmokeTest.run("eval", "--checkpoint", checkpoint.toString(), "--tasks", bad.toString(), "--backend", "reference");
        assertEquals(1, run.exitCode(), run.toString());
        assertTrue(run.err().contains(bad + ":2: expected a string field \"answer\", found none"), run.toString());

        Files.writeString(bad, "{\"question\": \"What's the capital of Peru?\", \"answer\": \"Lima\"}\n\n{\"question\": \"Price in €?\", \"answer\": \"5\"}\n");
        run = CliSmokeTest.run("eval", "--checkpoint", checkpoint.toString(), "--tasks", bad.toString(), "--backend", "reference");
        assertTrue(run.err().contains(bad + ":3: character '€' (U+20AC)"), run.toString());

        run = CliSmokeTest.run("eval", "--checkpoint", checkpoint.toString(), "--tasks", tasks.toString(), "--samples", "5", "--temperature", "0");
        assertTrue(run.err().contains("--samples 5 needs a --temperature above 0"), run.toString());
        run = CliSmokeTest.run("eval", "--checkpoint", checkpoint.toString(), "--tasks", tasks.toString(), "--template", "alpaca");
        assertTrue(run.err().contains("unknown --template \"alpaca\"; expected auto, document, chatml, human-assistant, qa"), run.toString());
        run = CliSmokeTest.run("eval", "--checkpoint", dir.toString(), "--tasks", tasks.toString());
        assertTrue(run.err().contains(dir + " is not a checkpoint"), run.toString());
    }
}
