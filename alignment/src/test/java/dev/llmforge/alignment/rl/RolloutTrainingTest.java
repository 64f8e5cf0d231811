package dev.llmforge.alignment.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmforge.alignment.data.RecordLocation;
import dev.llmforge.alignment.data.RolloutPrompt;
import dev.llmforge.alignment.reward.RewardModel;
import dev.llmforge.generate.GenerationResult;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tokenizer.CharTokenizer;
import dev.llmforge.tokenizer.chat.ChatMessage;
import dev.llmforge.tokenizer.chat.ChatTemplate;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GRPO and PPO on a tiny model with the reference backend: first-step KL, sampling vs scoring, exact resume. */
class RolloutTrainingTest {
    static final Backend REFERENCE = Backends.get("reference");
    static final CharTokenizer TOKENIZER = CharTokenizer.fromCorpus("0123456789 abcdefghijklmnopqrstuvwxyz?.:+\nQA", List.of("<|endoftext|>"));
    static final GptConfig CONFIG = GptConfig.builder().vocabSize(TOKENIZER.vocabSize()).blockSize(32).nLayer(1).nHead(2).nEmbd(16).build();
    static final ObjectMapper JSON = new ObjectMapper();
    /** A reward a program checks: the share of 'a' in the response. */
    static final Reward LETTER_A = (prompt, response, record) -> response.isEmpty() ? 0 : response.chars().filter(c -> c == 'a').count()
            / (double) response.length();
    /** Watched, not optimised: the share of 'a' (GRPO's reward, so the two must agree) and whether the row ended at the end of turn. */
    static final WatchedMeasures WATCHED = new WatchedMeasures(Map.of("letter_a", ResponseMeasure.of(LETTER_A),
            "ended", (rollout, row) -> rollout.endedAtEndOfTurn(row) ? 1 : 0));

    @TempDir
    Path dir;

    static List<RolloutPrompt> prompts() {
        List<RolloutPrompt> out = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            String q = "what is " + i + "+" + i + "?";
            out.add(new RolloutPrompt(List.of(ChatMessage.user(q)), q, Optional.of(String.valueOf(2 * i)), new RecordLocation("t", i)));
        }
        return out;
    }

    static RolloutSampler sampler(Gpt policy, double temperature) {
        return new RolloutSampler(policy, TOKENIZER, ChatTemplate.qa(), temperature, 8);
    }

    static TrainingConfig config(long steps) {
        return TrainingConfig.builder().batchSize(1).maxIters(steps).evalInterval(2).evalIters(1).evalAtStart(false).learningRate(3e-3)
                .decayLr(false).seed(5).build();
    }

    static List<JsonNode> steps(Path metrics) throws Exception {
        return records(metrics, "step");
    }

    static List<JsonNode> records(Path metrics, String type) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(metrics)) {
            JsonNode n = JSON.readTree(line);
            if (n.get("type").asText().equals(type)) {
                out.add(n);
            }
        }
        return out;
    }

    @Test
    void rolloutLogProbsAreTheOnesScoringAssumesAtTheSamplingTemperature() {
        try (Gpt policy = new Gpt(CONFIG, REFERENCE, 3); RolloutSampler sampler = sampler(policy, 0.7)) {
            assertTrue(sampler.sampling().isPureTemperature());
            Rollout rollout = sampler.sample(prompts().subList(0, 3), 2, 11);
            float[] sampled = rollout.batch().logProbs(Tensor.on(REFERENCE)).toFloatArray();
            float[] mask = rollout.batch().responseMask(Tensor.on(REFERENCE)).toFloatArray();
            float[] rescored = rollout.logProbsUnder(policy, 0.7, Tensor.on(REFERENCE));
            float[] otherTemperature = rollout.logProbsUnder(policy, 1.0, Tensor.on(REFERENCE));
            double worst = 0;
            double worstOther = 0;
            for (int i = 0; i < mask.length; i++) {
                if (mask[i] != 0) {
                    worst = Math.max(worst, Math.abs(sampled[i] - rescored[i]));
                    worstOther = Math.max(worstOther, Math.abs(sampled[i] - otherTemperature[i]));
                }
            }
            assertTrue(worst < 1e-4, "sampled vs rescored log-probs differ by " + worst);
            assertTrue(worstOther > 1e-2, "scoring at another temperature must differ (" + worstOther + ")");
            for (GenerationResult r : rollout.results()) {
                assertTrue(r.completion().length >= 1);
            }
        }
    }

    /** With a character tokenizer the text is tokenised back exactly: one response alone scores as in the rollout's batch. */
    @Test
    void aRewardModelRewardScoresAResponseAsTheBatchedRolloutDoes() {
        try (Gpt policy = new Gpt(CONFIG, REFERENCE, 3); RolloutSampler sampler = sampler(policy, 1.0);
             RewardModel model = RewardModel.withFreshHead(new Gpt(CONFIG, REFERENCE, 8), 9)) {
            model.eval();
            Rollout rollout = sampler.sample(prompts(), 8, 17);
            float[] batched = model.score(rollout.batch().ids(Tensor.on(REFERENCE)), rollout.batch().attentionMask(Tensor.on(REFERENCE)))
                    .toFloatArray();
            Reward reward = new RewardModelReward(model, TOKENIZER, ChatTemplate.qa());
            int checked = 0;
            for (int r = 0; r < rollout.rows(); r++) {
                if (rollout.endedAtEndOfTurn(r)) {
                    assertEquals(batched[r], reward.score(rollout.promptTexts().get(r), rollout.response(r), rollout.prompts().get(r)), 1e-4,
                            "row " + r);
                    checked++;
                }
            }
            assertTrue(checked > 0, "some responses ended with the end-of-turn token");
        }
    }

    Trainer grpo(Path out, long steps, Path resumeFrom) throws Exception {
        Gpt policy = new Gpt(CONFIG, REFERENCE, 3);
        Gpt reference = new Gpt(CONFIG, REFERENCE, 3); // the same weights, its own copy
        GrpoConfig settings = new GrpoConfig(2, 4, 0.04, 0.2, 2, 2, LossAveraging.SEQUENCE, 1e-4);
        GrpoObjective objective = new GrpoObjective(policy, reference, sampler(policy, 1.0), prompts(), prompts().subList(0, 2), LETTER_A,
                settings, 5, WATCHED);
        Trainer.Builder b = Trainer.builder().backend(REFERENCE).config(config(steps)).model("policy", policy).frozenModel("reference", reference)
                .objective(objective).outputDir(out).bestMetric("val_reward", Trainer.Goal.MAXIMIZE).owning(objective).owning(policy)
                .owning(reference);
        return (resumeFrom == null ? b : b.resumeFrom(resumeFrom)).build();
    }

    Trainer ppo(Path out, long steps, Path resumeFrom) throws Exception {
        Gpt policy = new Gpt(CONFIG, REFERENCE, 3);
        Gpt reference = new Gpt(CONFIG, REFERENCE, 3);
        RewardModel reward = RewardModel.withFreshHead(new Gpt(CONFIG, REFERENCE, 8), 9);
        RewardModel value = reward.copy();
        PpoConfig defaults = PpoConfig.defaults(4);
        PpoConfig settings = new PpoConfig(4, 2, 2, defaults.clip(), defaults.valueClip(), defaults.valueCoefficient(), defaults.gamma(),
                defaults.lambda(), defaults.klCoefficient(), KlEstimator.K3, 6, 100, 1.0); // adaptive KL: its coefficient is state
        PpoObjective objective = new PpoObjective(policy, value, reference, reward, sampler(policy, 1.0), prompts(), prompts().subList(0, 2),
                settings, 5, WATCHED);
        Trainer.Builder b = Trainer.builder().backend(REFERENCE).config(config(steps)).model("policy", policy).model("value", value)
                .frozenModel("reference", reference).frozenModel("reward", reward).objective(objective).outputDir(out)
                .bestMetric("val_score", Trainer.Goal.MAXIMIZE).owning(objective).owning(policy).owning(value).owning(reference).owning(reward);
        return (resumeFrom == null ? b : b.resumeFrom(resumeFrom)).build();
    }

    interface Run {
        Trainer build(Path out, long steps, Path resumeFrom) throws Exception;
    }

    /** Four steps straight, and two steps then a resumed run to four: the same metrics at every step. */
    void assertResumesExactly(Run run) throws Exception {
        Path straight = dir.resolve("straight");
        try (Trainer t = run.build(straight, 4, null)) {
            t.run();
        }
        Path split = dir.resolve("split");
        try (Trainer t = run.build(split, 2, null)) {
            t.run();
        }
        try (Trainer t = run.build(split, 4, split.resolve(Trainer.LATEST_DIR))) {
            assertEquals(2, t.step());
            t.run();
        }
        List<JsonNode> a = steps(straight.resolve(Trainer.METRICS_FILE));
        List<JsonNode> b = steps(split.resolve(Trainer.METRICS_FILE));
        assertEquals(4, a.size());
        assertEquals(4, b.size());
        for (int i = 0; i < 4; i++) {
            for (String key : List.of("loss", "kl_k1", "kl_k3", "response_length")) {
                assertEquals(a.get(i).get(key).asDouble(), b.get(i).get(key).asDouble(), 0, key + " at step " + (i + 1));
            }
        }
        assertNotEquals(a.get(0).get("loss").asDouble(), a.get(3).get("loss").asDouble(), "the steps differ");
    }

    /** Step 1 samples from policy == reference: both KL estimates 0; by step 4 the policy has moved; every key is logged. */
    JsonNode assertKlFromZero(List<String> keys) throws Exception {
        List<JsonNode> steps = steps(dir.resolve("straight").resolve(Trainer.METRICS_FILE));
        JsonNode first = steps.get(0);
        assertEquals(0, first.get("kl_k1").asDouble(), 1e-6, "policy == reference at the first rollout");
        assertEquals(0, first.get("kl_k3").asDouble(), 1e-6);
        assertTrue(first.get("logprob_gap").asDouble() < 1e-4, "sampling and scoring agree: " + first.get("logprob_gap"));
        assertTrue(steps.get(3).get("kl_k3").asDouble() > 0, "the policy has moved away from the reference");
        for (String key : keys) {
            assertTrue(first.has(key), key);
        }
        return steps.get(3);
    }

    @Test
    void grpoStartsAtZeroKlAndResumesExactly() throws Exception {
        assertResumesExactly(this::grpo);
        assertKlFromZero(List.of("reward", "reward_std", "zero_spread", "clip_fraction", "entropy", "time_sample_s", "time_update_s"));
        Path metrics = dir.resolve("straight").resolve(Trainer.METRICS_FILE);
        for (JsonNode step : steps(metrics)) {
            assertEquals(step.get("reward").asDouble(), step.get("letter_a").asDouble(), 1e-12, "the watched measure is taken on the step's rollout");
        }
        assertWatchedAtEvaluation(metrics, "val_reward");
    }

    /** Every evaluation logs each watched measure on the greedy responses, beside the run's own figure. */
    static void assertWatchedAtEvaluation(Path metrics, String ownFigure) throws Exception {
        List<JsonNode> evals = records(metrics, "eval");
        assertTrue(!evals.isEmpty());
        for (JsonNode e : evals) {
            assertTrue(e.has(ownFigure), e.toString());
            for (String key : List.of("val_letter_a", "val_ended")) {
                double v = e.get(key).asDouble();
                assertTrue(v >= 0 && v <= 1, key + " = " + v);
            }
        }
    }

    @Test
    void ppoStartsAtZeroKlAndResumesExactly() throws Exception {
        assertResumesExactly(this::ppo);
        JsonNode last = assertKlFromZero(List.of("score", "kl_sum", "kl_coef", "entropy", "clip_fraction", "approx_kl", "value_loss",
                "explained_variance", "response_length", "time_sample_s", "time_score_s", "time_update_s", "letter_a", "ended"));
        assertWatchedAtEvaluation(dir.resolve("straight").resolve(Trainer.METRICS_FILE), "val_score");
        assertNotEquals(PpoConfig.defaults(4).klCoefficient(), last.get("kl_coef").asDouble(), "the adaptive controller moved");
    }
}
