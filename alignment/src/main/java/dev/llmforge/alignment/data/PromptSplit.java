package dev.llmforge.alignment.data;

import dev.llmforge.tokenizer.chat.ChatMessage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Preference groups split into training and held-out ones by prompt: every group of one prompt lands on the same
 * side, so held-out pairs are about prompts the model never trained on (a pairs file has one group per line, and
 * the K(K−1)/2 pairs of one prompt's ranked answers share their prompt and often a response).
 *
 * @param train   the groups to train on, in their original order
 * @param heldOut the held-out groups, in their original order
 */
public record PromptSplit(List<PreferenceGroup> train, List<PreferenceGroup> heldOut) {
    public PromptSplit {
        train = List.copyOf(train);
        heldOut = List.copyOf(heldOut);
    }

    /**
     * Holds out {@code round(fraction · prompts)} of the distinct prompts of {@code groups} (at least one), drawn
     * with {@code seed}; an error when that would leave no prompt to train on.
     */
    public static PromptSplit of(List<PreferenceGroup> groups, double fraction, long seed) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("the held-out fraction must be between 0 and 1 (exclusive), found " + fraction);
        }
        Map<List<ChatMessage>, Integer> promptIndex = new LinkedHashMap<>();
        for (PreferenceGroup g : groups) {
            promptIndex.putIfAbsent(g.prompt(), promptIndex.size());
        }
        int prompts = promptIndex.size();
        int held = Math.max(1, (int) Math.round(fraction * prompts));
        if (held >= prompts) {
            throw new IllegalArgumentException("the data has " + prompts + " distinct prompts: too few to hold out " + held
                    + " and train on the rest");
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < prompts; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        boolean[] isHeld = new boolean[prompts];
        for (int i : order.subList(0, held)) {
            isHeld[i] = true;
        }
        List<PreferenceGroup> train = new ArrayList<>();
        List<PreferenceGroup> heldOut = new ArrayList<>();
        for (PreferenceGroup g : groups) {
            (isHeld[promptIndex.get(g.prompt())] ? heldOut : train).add(g);
        }
        return new PromptSplit(train, heldOut);
    }

    /** How many distinct prompts {@code groups} hold. */
    public static int distinctPrompts(List<PreferenceGroup> groups) {
        return (int) groups.stream().map(PreferenceGroup::prompt).distinct().count();
    }
}
