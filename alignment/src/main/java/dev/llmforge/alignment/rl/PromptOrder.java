package dev.llmforge.alignment.rl;

import dev.llmforge.training.data.Batch;
import dev.llmforge.training.data.PaddedRecordSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which prompts each step samples for: every prompt once per epoch, in an order shuffled from the seed and the
 * epoch; the position is saved with the objective's state, so a resumed run draws the same prompts. (A
 * {@link PaddedRecordSource} over one-token records, each the index of a prompt.)
 */
final class PromptOrder {
    private final PaddedRecordSource indices;

    PromptOrder(int prompts, int perStep, long seed) {
        List<PaddedRecordSource.Record> records = new ArrayList<>(prompts);
        for (int i = 0; i < prompts; i++) {
            records.add(PaddedRecordSource.Record.allTargets(i));
        }
        this.indices = PaddedRecordSource.builder(records).batchSize(perStep).length(1).shuffle(seed).build();
    }

    /** The prompt indices of the next step. */
    int[] next() {
        long[] ids = indices.next().longs(Batch.IDS);
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    Map<String, Long> state() {
        return indices.state();
    }

    void restore(Map<String, Long> state) {
        indices.restore(state);
    }
}
