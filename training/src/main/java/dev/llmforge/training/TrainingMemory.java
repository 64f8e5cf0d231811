package dev.llmforge.training;

import dev.llmforge.model.GptConfig;
import dev.llmforge.model.MemoryBudget;
import dev.llmforge.model.Sizes;
import dev.llmforge.spi.Backend;
import dev.llmforge.spi.FusedOp;
import dev.llmforge.tensor.DType;
import java.util.Locale;

/**
 * A lower bound of the memory a pretraining run of a GPT needs, computed from the configs before
 * anything is allocated, so that a run that cannot fit (a large {@code --block-size}, a huge model)
 * is refused with the figures instead of ending in an out-of-memory crash after minutes of setup.
 * It counts only what any implementation must hold at once:
 * <ul>
 *   <li>the parameters (and buffers) in F32;</li>
 *   <li>their gradients and AdamW's two moments (three more copies of the parameters);</li>
 *   <li>for one micro-batch of B sequences of T tokens, per layer the inputs the backward pass needs of
 *       the attention and MLP projections (4·B·T·C + B·T·ffn_hidden) and, unless the backend fuses
 *       attention, the attention probabilities (B·n_head·T²); and the logits (B·T·vocab_size).</li>
 * </ul>
 * The true peak is higher (temporaries, the engine's own caches): passing this check does not promise
 * the run fits, failing it shows that it cannot.
 *
 * @param modelBytes      parameters and buffers
 * @param optimizerBytes  gradients and the AdamW moments
 * @param activationBytes activations kept for the backward pass of one micro-batch
 */
public record TrainingMemory(long modelBytes, long optimizerBytes, long activationBytes) {

    /** The estimate for pretraining {@code model} with {@code training}'s batch size on {@code backend}. */
    public static TrainingMemory estimate(GptConfig model, TrainingConfig training, Backend backend) {
        long element = backend.bytesPerElement(DType.F32);
        long b = training.batchSize();
        long t = model.blockSize();
        long tokens = Sizes.product(b, t); // B·T
        long perLayer = Sizes.sum(Sizes.product(tokens, 4L * model.nEmbd() + model.ffnHidden()),
                backend.nativeFusedOps().contains(FusedOp.CAUSAL_ATTENTION) ? 0
                        : Sizes.product(Sizes.product(b, model.nHead()), Sizes.product(t, t))); // (B, T, ·) and (B, H, T, T)
        long activations = Sizes.sum(Sizes.product(model.nLayer(), perLayer), Sizes.product(tokens, model.vocabSize())); // + (B, T, V)
        return new TrainingMemory(MemoryBudget.modelBytes(model, DType.F32, backend),
                Sizes.product(Sizes.product(3, model.parameterCount()), element), Sizes.product(activations, element));
    }

    /** All three parts. */
    public long totalBytes() {
        return Sizes.sum(modelBytes, optimizerBytes, activationBytes);
    }

    /** Refuses the run if even this lower bound exceeds the memory there is for {@code backend}'s tensors. */
    public void requireFits(Backend backend) {
        MemoryBudget.require(totalBytes(), backend, "pretraining (" + describe() + ")",
                "lower --block-size or --batch-size (activations), or --n-layer / --n-embd (model)");
    }

    /** {@code model 3.2 MiB + gradients and AdamW moments 9.6 MiB + activations at least 31.0 MiB = at least 43.8 MiB}. */
    public String describe() {
        return String.format(Locale.ROOT, "model %s + gradients and AdamW moments %s + activations at least %s = at least %s",
                MemoryBudget.format(modelBytes), MemoryBudget.format(optimizerBytes), MemoryBudget.format(activationBytes),
                MemoryBudget.format(totalBytes()));
    }
}
