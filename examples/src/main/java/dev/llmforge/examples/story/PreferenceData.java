package dev.llmforge.examples.story;

import dev.llmforge.alignment.data.BadRecords;
import dev.llmforge.alignment.data.PreferenceBatchSource;
import dev.llmforge.alignment.data.PreferenceEncoder;
import dev.llmforge.alignment.data.PreferenceExample;
import dev.llmforge.alignment.data.PreferenceGroup;
import dev.llmforge.alignment.data.PreferenceReader;
import dev.llmforge.tokenizer.SpecialTokens;
import dev.llmforge.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The labeler's pairs, encoded for the reward model or DPO and split by prompt: every {@value #VAL_EVERY}th prompt
 * is held out for evaluation ({@code val_*} metrics).
 */
final class PreferenceData {
    static final int VAL_EVERY = 10;
    static final String VAL = "val";

    private final List<List<PreferenceExample>> train = new ArrayList<>();
    private final List<List<PreferenceExample>> val = new ArrayList<>();
    private final List<int[]> responses;
    private final long padId;

    /** @param maxTokens prompt plus response: the model's context (reward model and DPO score every id) */
    PreferenceData(StoryRun run, Tokenizer tokenizer, int maxTokens) throws IOException {
        List<PreferenceGroup> groups = PreferenceReader.read(List.of(run.layout().pairs()), BadRecords.failFast());
        List<List<PreferenceExample>> encoded = new PreferenceEncoder(run.template(), tokenizer, maxTokens).encodeAll(groups, BadRecords.failFast());
        for (int i = 0; i < encoded.size(); i++) {
            (i % VAL_EVERY == VAL_EVERY - 1 ? val : train).add(encoded.get(i));
        }
        if (val.isEmpty()) {
            val.add(train.remove(train.size() - 1));
        }
        Set<IntBuffer> distinct = new LinkedHashSet<>(); // a ranked answer is in several pairs: count it once
        for (List<PreferenceExample> group : encoded) {
            for (PreferenceExample pair : group) {
                distinct.add(IntBuffer.wrap(pair.chosenSequence().ids()));
                distinct.add(IntBuffer.wrap(pair.rejectedSequence().ids()));
            }
        }
        responses = distinct.stream().map(IntBuffer::array).toList();
        padId = tokenizer.specialTokens().id(SpecialTokens.END_OF_TEXT).orElse(0);
    }

    /**
     * Every distinct answer of the pairs, chosen or rejected, after its prompt (B sequences of ids): all were sampled
     * from the SFT model, so these are the SFT answers the reward model is normalised on.
     */
    List<int[]> sftAnswers() {
        return responses;
    }

    PreferenceBatchSource trainSource(int promptsPerBatch, long seed) {
        return PreferenceBatchSource.builder(train).groupsPerBatch(promptsPerBatch).padId(padId).shuffle(seed).build();
    }

    PreferenceBatchSource valSource(int promptsPerBatch) {
        return PreferenceBatchSource.builder(val).groupsPerBatch(promptsPerBatch).padId(padId).build();
    }
}
