package dev.llmforge.model;

import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A copy of a {@link Gpt} with a larger vocabulary, for special tokens added to its tokenizer (ChatML's
 * {@code <|im_start|>} and {@code <|im_end|>}, or an end-of-text token a character vocabulary lacks). The token
 * embedding and, when it is not tied to it, the language-model head get one new row per new id, each the mean of
 * the old rows (so a new token starts as the "average" token, its logit near the average logit, instead of a random
 * vector that could dominate the softmax); every other parameter is copied unchanged. The new ids follow the old
 * ones, as tokenizers number added special tokens.
 */
public final class VocabularyGrowth {
    /** Parameters with one row per token id: the embedding, and the head when it is untied. */
    static final String EMBEDDING = "wte.weight";
    static final String HEAD = "lm_head.weight";

    private VocabularyGrowth() {
    }

    /**
     * A new model (the caller owns it; {@code model} is unchanged) of {@code vocabSize} ids.
     *
     * @throws IllegalArgumentException if {@code vocabSize} is smaller than the model's vocabulary
     */
    public static Gpt grow(Gpt model, int vocabSize) {
        int old = model.config().vocabSize();
        if (vocabSize < old) {
            throw new IllegalArgumentException("cannot shrink the vocabulary from " + old + " to " + vocabSize + " ids");
        }
        Map<String, Tensor> params = model.namedParameters();
        Tensor any = params.get(EMBEDDING);
        DType dtype = any.dtype();
        TensorFactory tensors = Tensor.on(any.backend(), any.device());
        Gpt grown = Gpt.forLoading(model.config().toBuilder().vocabSize(vocabSize).build(), tensors, dtype);
        try {
            Map<String, Tensor> values = new LinkedHashMap<>();
            params.forEach((name, p) -> values.put(name, name.equals(EMBEDDING) || name.equals(HEAD)
                    ? withMeanRows(p, vocabSize, tensors) : copy(p, tensors)));
            grown.loadParameters(values);
            grown.train(model.isTraining());
            return grown;
        } catch (RuntimeException e) {
            grown.close();
            throw e;
        }
    }

    /** {@code (V, C)} → {@code (rows, C)}: the old rows, then copies of their mean. */
    private static Tensor withMeanRows(Tensor table, int rows, TensorFactory tensors) {
        int v = table.dim(0);
        int c = table.dim(1);
        float[] old = table.toFloatArray();
        double[] mean = new double[c];
        for (int i = 0; i < v; i++) {
            for (int j = 0; j < c; j++) {
                mean[j] += old[i * c + j];
            }
        }
        float[] out = new float[rows * c];
        System.arraycopy(old, 0, out, 0, old.length);
        for (int i = v; i < rows; i++) {
            for (int j = 0; j < c; j++) {
                out[i * c + j] = (float) (mean[j] / v);
            }
        }
        return cast(tensors.of(out, rows, c), table.dtype());
    }

    private static Tensor copy(Tensor p, TensorFactory tensors) {
        return cast(tensors.of(p.toFloatArray(), p.shape().dims()), p.dtype());
    }

    private static Tensor cast(Tensor t, DType dtype) {
        return t.dtype() == dtype ? t : t.cast(dtype);
    }
}
