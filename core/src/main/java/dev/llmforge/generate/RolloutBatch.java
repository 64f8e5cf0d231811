package dev.llmforge.generate;

import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import java.util.Arrays;
import java.util.List;

/**
 * Generated sequences laid out for scoring, as a policy-gradient step reads them (TRL's layout): each
 * row is its prompt, left-padded to the longest prompt, then its {@linkplain GenerationResult#completion()
 * completion} (stop token included), right-padded to the longest completion. Host arrays, row-major
 * (B, T), turned into tensors on demand:
 *
 * <ul>
 *   <li>{@link #ids}: the tokens, {@code padId} at padding (any id: padding is told by the mask, so
 *       {@code padId} may equal EOS);</li>
 *   <li>{@link #attentionMask}: 1 for prompt and completion tokens, 0 for padding;</li>
 *   <li>{@link #responseMask}: 1 for completion tokens only — the tokens whose log-probabilities,
 *       values and rewards the step uses;</li>
 *   <li>{@link #logProbs}: at completion tokens, the log-probability each was sampled with; 0 elsewhere.</li>
 * </ul>
 *
 * Aligned with {@code TokenLogProbs.perToken()}: entry [b, t] is about token t of row b.
 */
public final class RolloutBatch {
    private final int batch;
    private final int length;
    private final int promptWidth;
    private final long[] ids;
    private final float[] attentionMask;
    private final float[] responseMask;
    private final float[] logProbs;

    private RolloutBatch(List<GenerationResult> results, long padId) {
        if (results.isEmpty()) {
            throw new IllegalArgumentException("a rollout batch needs at least one result");
        }
        int prompts = 0;
        int completions = 0;
        for (GenerationResult r : results) {
            prompts = Math.max(prompts, r.prompt().length);
            completions = Math.max(completions, r.completion().length);
        }
        this.batch = results.size();
        this.promptWidth = prompts;
        this.length = prompts + completions;
        this.ids = new long[batch * length];
        this.attentionMask = new float[batch * length];
        this.responseMask = new float[batch * length];
        this.logProbs = new float[batch * length];
        Arrays.fill(ids, padId);
        for (int b = 0; b < batch; b++) {
            GenerationResult r = results.get(b);
            int row = b * length;
            int[] prompt = r.prompt();
            for (int i = 0; i < prompt.length; i++) {
                ids[row + prompts - prompt.length + i] = prompt[i];
                attentionMask[row + prompts - prompt.length + i] = 1;
            }
            int[] completion = r.completion();
            for (int i = 0; i < completion.length; i++) {
                ids[row + prompts + i] = completion[i];
                attentionMask[row + prompts + i] = 1;
                responseMask[row + prompts + i] = 1;
                logProbs[row + prompts + i] = r.logProbs()[i];
            }
        }
    }

    /** The results of one {@link Generator#generate(List, GenerationConfig, TokenListener)} call, laid out with {@code padId} at padding. */
    public static RolloutBatch of(List<GenerationResult> results, long padId) {
        return new RolloutBatch(results, padId);
    }

    public int batch() {
        return batch;
    }

    /** T: the longest prompt plus the longest completion. */
    public int length() {
        return length;
    }

    /** Columns before the completions: the longest prompt. */
    public int promptWidth() {
        return promptWidth;
    }

    /** I64 (B, T). */
    public Tensor ids(TensorFactory tensors) {
        return tensors.of(ids, batch, length);
    }

    /** F32 (B, T) of 0/1. */
    public Tensor attentionMask(TensorFactory tensors) {
        return tensors.of(attentionMask, batch, length);
    }

    /** F32 (B, T) of 0/1. */
    public Tensor responseMask(TensorFactory tensors) {
        return tensors.of(responseMask, batch, length);
    }

    /** F32 (B, T): the sampling log-probabilities at completion tokens, 0 elsewhere. */
    public Tensor logProbs(TensorFactory tensors) {
        return tensors.of(logProbs, batch, length);
    }
}
