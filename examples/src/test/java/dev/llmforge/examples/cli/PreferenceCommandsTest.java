package dev.llmforge.examples.cli;

import static dev.llmforge.examples.cli.CliSmokeTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.alignment.reward.RewardModel;
import dev.llmforge.examples.cli.CliSmokeTest.Run;
import dev.llmforge.io.Checkpoint;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tokenizer.BpeTrainer;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.tokenizer.TokenizerFiles;
import dev.llmforge.training.metrics.JsonLinesMetrics;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code llmforge reward} and {@code llmforge dpo} in-process on the reference backend, from a tiny model with a BPE tokenizer. */
class PreferenceCommandsTest {
    static final String[] TINY = {"--batch-size", "2", "--eval-iters", "1", "--eval-interval", "2", "--log-interval", "1",
            "--lr", "1e-3", "--warmup-iters", "0"};

    @TempDir
    static Path dir;
    static Path sft;
    static Path pairs;

    @BeforeAll
    static void tinyModelAndPairs() throws Exception {
        List<String> lines = new ArrayList<>();
        StringBuilder corpus = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            String prompt = "What is " + i + " plus " + (i + 1) + "?";
            String chosen = "It is " + (2 * i + 1) + ".";
            String rejected = "Ask someone else.";
            lines.add("{\"prompt\": \"" + prompt + "\", \"chosen\": \"" + chosen + "\", \"rejected\": \"" + rejected + "\"}");
            corpus.append(prompt).append(' ').append(chosen).append(' ').append(rejected).append('\n');
        }
        pairs = dir.resolve("pairs.jsonl");
        Files.write(pairs, lines, StandardCharsets.UTF_8);
        Tokenizer tokenizer = new BpeTrainer(300).train(corpus + "\n\nHuman: \n\nAssistant: ");
        GptConfig config = GptConfig.builder().vocabSize(tokenizer.vocabSize()).blockSize(48).nLayer(1).nHead(2).nEmbd(16).build();
        sft = dir.resolve("sft");
        try (Gpt model = new Gpt(config, Backends.get("reference"), 1)) {
            Checkpoint.writer(sft).model(model).tokenizerJson(TokenizerFiles.toJson(tokenizer)).write();
        }
    }

    static String[] args(String command, Path out, String... more) {
        List<String> all = new ArrayList<>(List.of(command, "--from", sft.toString(), "--data", pairs.toString(), "--out", out.toString()));
        all.addAll(List.of(TINY));
        all.addAll(List.of(more));
        if (!all.contains("--backend")) {
            all.addAll(List.of("--backend", "reference"));
        }
        return all.toArray(String[]::new);
    }

    static List<JsonNode> steps(Path out) throws Exception {
        return JsonLinesMetrics.read(out.resolve("metrics.jsonl")).stream().filter(n -> n.get("type").asText().equals("step")).toList();
    }

    @Test
    void rewardTrainsResumesAndWritesANormalisedRewardModel() throws Exception {
        Path out = dir.resolve("rm");
        Run r = run(args("reward", out, "--max-iters", "4"));
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("data: 11 prompts (11 pairs) to train on, 1 prompts (1 pairs) held out; template human-assistant"), r.toString());
        assertTrue(r.out().contains("done at step 4"), r.toString());
        assertTrue(r.out().contains("reward model: " + out.resolve("reward")), r.toString());
        assertTrue(steps(out).get(0).has("accuracy") && steps(out).get(0).has("margin"), steps(out).get(0).toString());
        assertTrue(Files.size(out.resolve("accuracy.png")) > 1000);
        try (RewardModel model = RewardModel.load(out.resolve("reward"), Backends.get("reference"))) {
            assertTrue(model.offset() != 0, "normalised");
        }
        List<JsonNode> first = steps(out);

        Run resumed = run(args("reward", out, "--max-iters", "6", "--resume"));
        assertEquals(0, resumed.exitCode(), resumed.toString());
        assertTrue(resumed.out().contains("done at step 6: 2 steps"), resumed.toString());
        assertEquals(first, steps(out).subList(0, 4));
    }

    @Test
    void dpoTrainsWithALiveOrAPrecomputedReferenceAndStartsAtLn2() throws Exception {
        Path live = dir.resolve("dpo-live");
        Run r = run(args("dpo", live, "--max-iters", "2", "--beta", "0.5"));
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("loss=sigmoid beta=0.5 reference=live"), r.toString());
        assertEquals(Math.log(2), steps(live).get(0).get("loss").asDouble(), 1e-6);

        Path precomputed = dir.resolve("dpo-pre");
        Run p = run(args("dpo", precomputed, "--max-iters", "2", "--beta", "0.5", "--precompute-ref"));
        assertEquals(0, p.exitCode(), p.toString());
        assertTrue(p.out().contains("reference log-probabilities of 24 responses"), p.toString());
        for (int i = 0; i < 2; i++) {
            assertEquals(steps(live).get(i).get("loss").asDouble(), steps(precomputed).get(i).get("loss").asDouble(), 1e-5);
        }

        Run ipo = run(args("dpo", dir.resolve("dpo-ipo"), "--max-iters", "1", "--loss", "ipo"));
        assertEquals(0, ipo.exitCode(), ipo.toString());
        Run unknown = run(args("dpo", dir.resolve("dpo-x"), "--loss", "kto"));
        assertEquals(1, unknown.exitCode());
        assertTrue(unknown.err().contains("unknown DPO loss 'kto'; expected one of [sigmoid, ipo, hinge]"), unknown.toString());
    }

    @Test
    void dpoOnDjlStartsAtLn2AndRewardTrains() throws Exception {
        Path dpo = dir.resolve("dpo-djl");
        Run r = run(args("dpo", dpo, "--max-iters", "2", "--backend", "djl"));
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("backend: djl"), r.toString());
        assertEquals(Math.log(2), steps(dpo).get(0).get("loss").asDouble(), 1e-6);
        Path rm = dir.resolve("rm-djl");
        Run reward = run(args("reward", rm, "--max-iters", "2", "--backend", "djl"));
        assertEquals(0, reward.exitCode(), reward.toString());
        try (RewardModel model = RewardModel.load(rm.resolve("reward"), Backends.get("reference"))) {
            assertTrue(Double.isFinite(model.offset()), "a reward model trained on DJL loads on another backend");
        }
    }

    @Test
    void aBadRecordIsNamedWithItsFileAndLineAndShapeFlagsAreRefused() throws Exception {
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, Files.readString(pairs) + "{\"prompt\": \"Hi\", \"chosen\": \"Hello\"}\n");
        Run r = run("reward", "--from", sft.toString(), "--data", bad.toString(), "--out", dir.resolve("rm-bad").toString(), "--backend", "reference");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains(bad + ":13"), r.toString());
        Run shape = run(args("dpo", dir.resolve("dpo-shape"), "--n-layer", "2"));
        assertEquals(2, shape.exitCode(), "reward and dpo take training settings only: " + shape);
    }
}
