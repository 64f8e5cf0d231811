package dev.llmforge.examples.story;

import dev.llmforge.alignment.eval.EvalRecord;
import dev.llmforge.model.Gpt;
import dev.llmforge.tokenizer.Tokenizer;
import java.util.List;

/** The seed's own three prompts, answered greedily by each model, for the report's side-by-side table. */
final class SideBySide {
    /** The moon landing (never in SFT), the seed's SFT example, and the seed's age problem; answers for the checker. */
    static final List<EvalRecord> SEED_PROMPTS = List.of(
            new EvalRecord("Explain the moon landing to a 6 year old.", "moon"),
            new EvalRecord("What's the capital of China?", "Beijing"),
            new EvalRecord("When I was 6 my sister was half my age. Now I'm 70 how old is my sister?", "67"));

    private SideBySide() {
    }

    static List<String> answers(StoryRun run, Questions questions, String stage, Gpt model, Tokenizer tokenizer) {
        return questions.greedy(run, model, tokenizer, stage, SEED_PROMPTS).stream().map(r -> r.paths().get(0).text()).toList();
    }
}
