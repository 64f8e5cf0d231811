package dev.llmforge.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.alignment.reward.RewardModel;
import dev.llmforge.io.Checkpoint;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tokenizer.CharTokenizer;
import dev.llmforge.tokenizer.TokenizerFiles;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingCheckpoint;
import dev.llmforge.training.metrics.JsonLinesMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code llmforge grpo} and {@code llmforge ppo} in-process on a tiny untrained "SFT" model, reference backend. */
class RolloutCommandsTest {
    @TempDir
    static Path dir;
    static Path sft;
    static Path reward;
    static Path prompts;

    @BeforeAll
    static void writeModels() throws Exception {
        Backend backend = Backends.get("reference");
        CharTokenizer tokenizer = CharTokenizer.fromCorpus("0123456789 abcdefghijklmnopqrstuvwxyz?.:+\nQA", List.of("<|endoftext|>"));
        GptConfig config = GptConfig.builder().vocabSize(tokenizer.vocabSize()).blockSize(32).nLayer(1).nHead(2).nEmbd(16).build();
        sft = dir.resolve("sft");
        try (Gpt model = new Gpt(config, backend, 3)) {
            Checkpoint.save(sft, model);
        }
        TokenizerFiles.save(tokenizer, sft.resolve(Checkpoint.TOKENIZER));
        reward = dir.resolve("reward");
        try (RewardModel rm = RewardModel.withFreshHead(new Gpt(config, backend, 4), 5)) {
            rm.save(reward);
        }
        prompts = dir.resolve("prompts.jsonl");
        Files.writeString(prompts, "{\"question\":\"what is 1+1?\",\"answer\":\"2\"}\n{\"question\":\"what is 2+2?\",\"answer\":\"4\"}\n"
                + "{\"question\":\"what is 3+3?\",\"answer\":\"6\"}\n");
    }

    static List<Double> steps(Path out, String key) throws Exception {
        return JsonLinesMetrics.read(out.resolve(Trainer.METRICS_FILE)).stream().filter(n -> n.get("type").asText().equals("step"))
                .map(n -> n.get(key).asDouble()).toList();
    }

    @Test
    void grpoTrainsWithACheckableRewardAndResumes() throws Exception {
        Path out = dir.resolve("grpo");
        String[] base = {"grpo", "--backend", "reference", "--from", sft.toString(), "--data", prompts.toString(), "--eval", prompts.toString(),
            "--out", out.toString(), "--reward", "format", "--group-size", "3", "--prompts-per-step", "2", "--max-new-tokens", "6",
            "--lr", "1e-3", "--eval-interval", "2"};
        CliSmokeTest.Run first = CliSmokeTest.run(CliSmokeTest.with(base, "--max-iters", "2"));
        assertEquals(0, first.exitCode(), first.toString());
        assertTrue(first.out().contains("prompts: 3 from"), first.out());
        assertEquals(2, steps(out, "zero_spread").size());
        CliSmokeTest.Run resumed = CliSmokeTest.run(CliSmokeTest.with(base, "--max-iters", "3", "--resume"));
        assertEquals(0, resumed.exitCode(), resumed.toString());
        assertEquals(3, TrainingCheckpoint.readState(out.resolve(Trainer.LATEST_DIR)).step());
        assertEquals(3, steps(out, "reward").size());
        for (String chart : List.of("reward.png", "kl.png")) {
            assertTrue(Files.size(out.resolve(chart)) > 0, chart);
        }
    }

    @Test
    void ppoTrainsAgainstARewardModel() throws Exception {
        Path out = dir.resolve("ppo");
        CliSmokeTest.Run r = CliSmokeTest.run("ppo", "--backend", "reference", "--from", sft.toString(), "--reward", reward.toString(), "--prompts",
                prompts.toString(), "--out", out.toString(), "--prompts-per-step", "2", "--max-new-tokens", "6", "--max-iters", "2",
                "--epochs", "2", "--kl-estimator", "k3", "--lr", "1e-3", "--watch", "labeler,exact-answer", "--eval", prompts.toString(),
                "--eval-interval", "2");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(2, steps(out, "explained_variance").size());
        for (double labeler : steps(out, "labeler")) {
            assertTrue(labeler > 0 && labeler <= 8, "the labeler's score: " + labeler);
        }
        assertEquals(2, steps(out, "exact_answer").size());
        assertTrue(JsonLinesMetrics.read(out.resolve(Trainer.METRICS_FILE)).stream().anyMatch(n -> n.has("val_labeler") && n.has("val_score")));
        for (String chart : List.of("labeler.png", "exact_answer.png", "score.png")) {
            assertTrue(Files.size(out.resolve(chart)) > 0, chart);
        }
        assertTrue(Files.isRegularFile(out.resolve(Trainer.LATEST_DIR).resolve(TrainingCheckpoint.weightsFile("value", false))));
    }

    @Test
    void grpoRewardsWithARewardModel() throws Exception {
        Path out = dir.resolve("grpo-rm");
        CliSmokeTest.Run r = CliSmokeTest.run("grpo", "--backend", "reference", "--from", sft.toString(), "--data", prompts.toString(), "--out",
                out.toString(), "--reward-model", reward.toString(), "--group-size", "2", "--prompts-per-step", "2", "--max-new-tokens", "4",
                "--max-iters", "1", "--beta", "0");
        assertEquals(0, r.exitCode(), r.toString());
        double spread = steps(out, "reward_std").get(0);
        assertTrue(spread > 0, "a reward model's scores differ between responses: " + spread);
    }

    @Test
    void anUnknownRewardIsAnErrorNamingTheChoices() {
        CliSmokeTest.Run r = CliSmokeTest.run("grpo", "--backend", "reference", "--from", sft.toString(), "--data", prompts.toString(), "--out",
                dir.resolve("bad").toString(), "--reward", "accuracy");
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("exact-answer, format"), r.err());
        r = CliSmokeTest.run("grpo", "--backend", "reference", "--from", sft.toString(), "--data", prompts.toString(), "--out",
                dir.resolve("bad-watch").toString(), "--watch", "labeler,kindness");
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--watch: unknown measure \"kindness\"; expected labeler, exact-answer, format"), r.err());
    }

    /** The labeler's pairs from sampled answers, then a reward model's held-out accuracy per kind of pair. */
    @Test
    void labelledPairsTrainARewardModelReportedPerKind() throws Exception {
        Path labels = dir.resolve("labels");
        CliSmokeTest.Run r = CliSmokeTest.run("label", "--backend", "reference", "--from", sft.toString(), "--prompts", prompts.toString(),
                "--samples", "4", "--max-new-tokens", "6", "--out", labels.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("4 answers to each of 3 prompts"), r.out());
        assertEquals(3, Files.readAllLines(labels.resolve(LabelCommand.RANKED)).size());
        List<String> pairs = Files.readAllLines(labels.resolve(LabelCommand.PAIRS));
        assertTrue(!pairs.isEmpty() && pairs.stream().allMatch(l -> l.matches(".*\"kind\":\"(form|correctness|length)\".*")), pairs.toString());
        Path testPairs = dir.resolve("test-pairs.jsonl");
        Files.write(testPairs, pairs.subList(0, 1));
        r = CliSmokeTest.run("reward", "--backend", "reference", "--from", sft.toString(), "--data", labels.resolve(LabelCommand.PAIRS).toString(),
                "--val-data", labels.resolve(LabelCommand.PAIRS).toString(), "--template", "qa", "--out", dir.resolve("rm").toString(),
                "--accuracy-by", "kind", "--max-iters", "1", "--batch-size", "2", "--test-data", testPairs.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("held-out pairwise accuracy (reward/, every pair once):\n  all pairs: "), r.out());
        assertTrue(r.out().contains("/" + pairs.size() + " = "), "every held-out pair counted once: " + r.out());
        String test = r.out().substring(r.out().indexOf("test (" + testPairs + ") pairwise accuracy (reward/, every pair once):\n"));
        assertTrue(test.split("\n")[1].matches("  all pairs: [01]/1 = .*"), "the test file's one pair: " + r.out());
        assertTrue(r.out().contains("  kind=form: ") || r.out().contains("  kind=correctness: "), r.out());
        r = CliSmokeTest.run("label", "--backend", "reference", "--from", sft.toString(), "--prompts", prompts.toString(), "--samples", "1",
                "--out", labels.toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--samples"), r.err());
        r = CliSmokeTest.run("label", "--backend", "reference", "--from", sft.toString(), "--prompts", prompts.toString(), "--length-pairs", "1.5",
                "--out", labels.toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--length-pairs takes a number from 0.0 to 1.0, got 1.5"), r.err());
    }

    /** --length-pairs 0 writes the same pairs but the length-only ones; a reward model's --val-fraction holds out whole prompts. */
    @Test
    void lengthPairsCanBeDroppedAndValidationIsSplitByPrompt() throws Exception {
        Path all = dir.resolve("labels-all");
        Path noLength = dir.resolve("labels-no-length");
        for (Path out : List.of(all, noLength)) {
            CliSmokeTest.Run r = CliSmokeTest.run("label", "--backend", "reference", "--from", sft.toString(), "--prompts", prompts.toString(),
                    "--samples", "6", "--max-new-tokens", "6", "--length-pairs", out == all ? "1" : "0", "--out", out.toString());
            assertEquals(0, r.exitCode(), r.toString());
        }
        List<String> pairs = Files.readAllLines(all.resolve(LabelCommand.PAIRS));
        assertEquals(pairs.stream().filter(l -> !l.contains("\"kind\":\"length\"")).toList(), Files.readAllLines(noLength.resolve(LabelCommand.PAIRS)),
                "the same samples (same seed), the length-only pairs left out");
        long prompts = pairs.stream().map(l -> l.substring(0, l.indexOf("\"chosen\""))).distinct().count();
        assertEquals(3, prompts, pairs.toString());
        CliSmokeTest.Run r = CliSmokeTest.run("reward", "--backend", "reference", "--from", sft.toString(), "--data", all.resolve(LabelCommand.PAIRS).toString(),
                "--val-fraction", "0.3", "--template", "qa", "--out", dir.resolve("rm-split").toString(), "--max-iters", "1", "--batch-size", "2");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("data: 2 prompts ("), "one of the 3 prompts held out with all its pairs: " + r.out());
        assertTrue(r.out().contains(" to train on, 1 prompts ("), r.out());
    }
}
