package dev.llmforge.alignment.preference;

import dev.llmforge.alignment.data.RolloutPrompt;
import dev.llmforge.alignment.eval.EvalRecord;
import dev.llmforge.alignment.rl.Rollout;
import dev.llmforge.alignment.rl.RolloutSampler;
import java.util.ArrayList;
import java.util.List;

/**
 * The human rankers' part, played by the {@link ProgrammaticLabeler}: several sampled answers of a model to each
 * prompt, ranked; what a reward model and DPO are trained on (InstructGPT's K ranked answers per prompt).
 *
 * <pre>{@code
 * LabeledSampling labeled = LabeledSampling.collect(sampler, prompts, 4, 16, 1337);
 * RankedResponses.write(dir.resolve("ranked.jsonl"), labeled.ranked());
 * LabeledPair.write(dir.resolve("pairs.jsonl"), labeled.pairs());
 * }</pre>
 *
 * @param ranked      one ranked list per prompt, in prompt order
 * @param pairs       every preference the rankings imply, except those with an empty answer (a preference file
 *                    holds none: the readers refuse empty messages)
 * @param emptyLeftOut how many pairs were left out for an empty answer
 */
public record LabeledSampling(List<RankedResponses> ranked, List<LabeledPair> pairs, int emptyLeftOut) {
    public LabeledSampling {
        ranked = List.copyOf(ranked);
        pairs = List.copyOf(pairs);
    }

    /**
     * Samples {@code samplesPerPrompt} answers to each prompt with {@code sampler} (its temperature and length limit),
     * about {@code rowsPerCall} sequences generated together, the call starting at prompt i seeded {@code seed + i};
     * every prompt needs an expected answer (what the labeler checks correctness against).
     */
    public static LabeledSampling collect(RolloutSampler sampler, List<RolloutPrompt> prompts, int samplesPerPrompt, int rowsPerCall, long seed) {
        if (samplesPerPrompt < 2) {
            throw new IllegalArgumentException("ranking needs at least 2 answers per prompt, got " + samplesPerPrompt);
        }
        int perCall = Math.max(1, rowsPerCall / samplesPerPrompt);
        List<RankedResponses> ranked = new ArrayList<>();
        List<LabeledPair> pairs = new ArrayList<>();
        int empty = 0;
        for (int first = 0; first < prompts.size(); first += perCall) {
            List<RolloutPrompt> call = prompts.subList(first, Math.min(prompts.size(), first + perCall));
            Rollout rollout = sampler.sample(call, samplesPerPrompt, seed + first);
            for (int p = 0; p < call.size(); p++) {
                List<Sample> samples = new ArrayList<>();
                for (int row = p * samplesPerPrompt; row < (p + 1) * samplesPerPrompt; row++) {
                    samples.add(new Sample(rollout.response(row), rollout.endedAtEndOfTurn(row)));
                }
                RankedResponses r = ProgrammaticLabeler.rank(record(call.get(p)), samples);
                ranked.add(r);
                for (LabeledPair pair : r.pairs()) {
                    if (pair.chosen().isBlank() || pair.rejected().isBlank()) {
                        empty++;
                    } else {
                        pairs.add(pair);
                    }
                }
            }
        }
        return new LabeledSampling(ranked, pairs, empty);
    }

    /** The labeler's view of a prompt: its question and expected answer (an error naming the record when it has none). */
    static EvalRecord record(RolloutPrompt prompt) {
        String answer = prompt.answer().orElseThrow(() -> new IllegalArgumentException(prompt.location()
                + ": the labeler needs the question's expected answer, the record has none (an eval file's \"answer\")"));
        return new EvalRecord(prompt.question(), answer);
    }

    /** These rankings with only {@code share} of the pairs of {@code kind} kept ({@link PairThinning#keep}). */
    public LabeledSampling keeping(PairKind kind, double share, long seed) {
        return new LabeledSampling(ranked, PairThinning.keep(pairs, kind, share, seed), emptyLeftOut);
    }

    /** How many pairs of each kind. */
    public int count(PairKind kind) {
        return (int) pairs.stream().filter(p -> p.kind() == kind).count();
    }
}
