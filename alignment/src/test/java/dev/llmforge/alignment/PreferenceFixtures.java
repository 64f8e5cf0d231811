package dev.llmforge.alignment;

import dev.llmforge.alignment.data.MaskedTokens;
import dev.llmforge.alignment.data.PreferenceExample;
import dev.llmforge.alignment.data.RecordLocation;
import dev.llmforge.alignment.data.Truncation;
import dev.llmforge.model.GptConfig;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.metrics.EvalMetrics;
import dev.llmforge.training.metrics.StepMetrics;
import dev.llmforge.training.metrics.TrainingListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Random;

/** Small synthetic preference data and helpers for the reward-model and DPO tests. */
public final class PreferenceFixtures {
    /** The end-of-turn token; also the padding id in the tests (PAD == EOS). */
    public static final int EOS = 0;
    public static final GptConfig CONFIG = GptConfig.builder().vocabSize(20).blockSize(16).nLayer(1).nHead(2).nEmbd(16).build();
    public static final Backend REFERENCE = Backends.get("reference");
    public static final TensorFactory TENSORS = Tensor.on(REFERENCE);
    /** 48 prompts to train on and 12 held out. */
    public static final List<List<PreferenceExample>> TRAIN = groups(48, 1);
    public static final List<List<PreferenceExample>> VAL = groups(12, 2);

    private PreferenceFixtures() {
    }

    /**
     * {@code n} groups: prompts of 2–4 tokens from 5..19; a response is 1–4 such tokens, then a quality token, then
     * EOS. Every third group is a ranked list of three responses (quality tokens 1 > 2 > 3: three pairs), the others
     * one pair (1 over 2); every fifth pair carries a margin of 0.5.
     */
    public static List<List<PreferenceExample>> groups(int n, long seed) {
        Random random = new Random(seed);
        List<List<PreferenceExample>> out = new ArrayList<>();
        for (int g = 0; g < n; g++) {
            int[] prompt = tokens(random, 2 + random.nextInt(3));
            RecordLocation at = new RecordLocation("synthetic.jsonl", g + 1);
            List<PreferenceExample> pairs = new ArrayList<>();
            if (g % 3 == 2) {
                MaskedTokens[] ranked = {response(random, 1), response(random, 2), response(random, 3)};
                for (int i = 0; i < 3; i++) {
                    for (int j = i + 1; j < 3; j++) {
                        pairs.add(new PreferenceExample(prompt, ranked[i], ranked[j], OptionalDouble.empty(), Truncation.NONE, at));
                    }
                }
            } else {
                OptionalDouble margin = g % 5 == 0 ? OptionalDouble.of(0.5) : OptionalDouble.empty();
                pairs.add(new PreferenceExample(prompt, response(random, 1), response(random, 2), margin, Truncation.NONE, at));
            }
            out.add(pairs);
        }
        return out;
    }

    private static int[] tokens(Random random, int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = 5 + random.nextInt(15);
        }
        return t;
    }

    private static MaskedTokens response(Random random, int quality) {
        int[] body = tokens(random, 1 + random.nextInt(4));
        int[] ids = Arrays.copyOf(body, body.length + 2);
        ids[body.length] = quality;
        ids[body.length + 1] = EOS;
        boolean[] mask = new boolean[ids.length];
        Arrays.fill(mask, true);
        return new MaskedTokens(ids, mask);
    }

    /** Records what a run reports. */
    public static final class Recorder implements TrainingListener {
        public final List<StepMetrics> steps = new ArrayList<>();
        public final List<EvalMetrics> evals = new ArrayList<>();

        @Override
        public void onStep(StepMetrics m) {
            steps.add(m);
        }

        @Override
        public void onEval(EvalMetrics m) {
            evals.add(m);
        }

        /** Every step's series (loss and metrics), in order. */
        public List<Object> series() {
            List<Object> out = new ArrayList<>();
            steps.forEach(s -> out.add(List.of(s.step(), s.metrics(), s.gradNorms())));
            return out;
        }
    }

    /** A listener that asks {@code trainer} to stop after step {@code step}. */
    public static TrainingListener stopAt(Trainer trainer, long step) {
        return new TrainingListener() {
            @Override
            public void onStep(StepMetrics m) {
                if (m.step() == step) {
                    trainer.requestStop();
                }
            }
        };
    }
}
