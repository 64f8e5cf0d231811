package dev.llmforge.alignment.rl;

import dev.llmforge.alignment.data.RolloutPrompt;
import dev.llmforge.alignment.reward.RewardModel;
import dev.llmforge.autograd.GradMode;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import dev.llmforge.tokenizer.SpecialTokenPolicy;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.tokenizer.chat.ChatTemplate;
import java.util.Arrays;

/**
 * A learned reward as a {@link Reward}: the reward model's score of the prompt rendered for generation, the
 * response's tokens and the template's end-of-turn — the sequence a sampled answer that stopped cleanly is (the
 * response is tokenised again from its text, so a BPE tokenizer may split it differently than it was sampled).
 * One forward pass per response, without gradients; the end is kept when the sequence is longer than the
 * model's context. PPO scores its rollouts in one batch instead, from the sampled ids.
 */
public final class RewardModelReward implements Reward {
    private final RewardModel model;
    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final int[] endOfTurn;

    public RewardModelReward(RewardModel model, Tokenizer tokenizer, ChatTemplate template) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.template = template;
        this.endOfTurn = tokenizer.encode(template.endOfTurn(), SpecialTokenPolicy.SPECIAL);
    }

    @Override
    @SuppressWarnings("try") // scope and grad-mode guards do their work in close()
    public double score(String prompt, String response, RolloutPrompt record) {
        int[] promptIds = template.renderForGeneration(record.messages(), tokenizer).ids();
        int[] responseIds = tokenizer.encode(response);
        int[] all = Arrays.copyOf(promptIds, promptIds.length + responseIds.length + endOfTurn.length);
        System.arraycopy(responseIds, 0, all, promptIds.length, responseIds.length);
        System.arraycopy(endOfTurn, 0, all, promptIds.length + responseIds.length, endOfTurn.length);
        int context = model.body().config().blockSize();
        int[] kept = all.length > context ? Arrays.copyOfRange(all, all.length - context, all.length) : all;
        Tensor any = model.parameters().get(0);
        TensorFactory tensors = Tensor.on(any.backend(), any.device());
        try (TensorScope ignored = TensorScope.open(); GradMode.Restore noGrad = GradMode.noGrad()) {
            return model.score(tensors.of(kept, 1, kept.length), tensors.ones(Shape.of(1, kept.length), DType.F32)).item();
        }
    }
}
