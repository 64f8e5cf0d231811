package dev.llmforge.alignment.data;

import java.util.Objects;
import java.util.OptionalDouble;

/**
 * A preference pair as the reward model and DPO read it: the prompt's ids, and each response's ids with its
 * response mask (true on the assistant's tokens and end-of-turn, false on any user turn inside a multi-turn
 * response). Each response ends with the template's end-of-turn token, where generation stops, so a reward read
 * at the last token is read at the same place for training pairs and for sampled answers. The arrays are not
 * copied: do not modify them.
 *
 * @param promptIds  the prompt rendered for generation (ending with the assistant header)
 * @param chosen     the preferred response's ids and mask
 * @param rejected   the other response's ids and mask
 * @param margin     the pair's margin, when the source gives one
 * @param truncation what was cut to fit
 * @param location   the record's file and line
 */
public record PreferenceExample(int[] promptIds, MaskedTokens chosen, MaskedTokens rejected, OptionalDouble margin,
                                Truncation truncation, RecordLocation location) {
    public PreferenceExample {
        Objects.requireNonNull(promptIds, "promptIds");
        Objects.requireNonNull(chosen, "chosen");
        Objects.requireNonNull(rejected, "rejected");
        Objects.requireNonNull(margin, "margin");
        Objects.requireNonNull(truncation, "truncation");
        Objects.requireNonNull(location, "location");
    }

    /** Prompt then chosen response: the response mask, false over the prompt. */
    public MaskedTokens chosenSequence() {
        return afterPrompt(chosen);
    }

    /** Prompt then rejected response: the response mask, false over the prompt. */
    public MaskedTokens rejectedSequence() {
        return afterPrompt(rejected);
    }

    private MaskedTokens afterPrompt(MaskedTokens response) {
        int[] ids = new int[promptIds.length + response.length()];
        boolean[] mask = new boolean[ids.length];
        System.arraycopy(promptIds, 0, ids, 0, promptIds.length);
        System.arraycopy(response.ids(), 0, ids, promptIds.length, response.length());
        System.arraycopy(response.lossMask(), 0, mask, promptIds.length, response.length());
        return new MaskedTokens(ids, mask);
    }
}
