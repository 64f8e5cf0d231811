package dev.llmforge.io;

import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.TensorFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Hugging Face GPT-2 checkpoints: the tensor names are llmforge's (with or without the
 * {@code transformer.} prefix), but the four Conv1D weights per layer are stored (in, out) and
 * are transposed to llmforge's (out, in). The causal-mask buffers ({@code h.N.attn.bias},
 * {@code h.N.attn.masked_bias}) are skipped, and {@code lm_head.weight} is accepted as the tied copy
 * of {@code wte.weight}.
 */
public final class HfGpt2 {
    private static final Pattern CONV1D = Pattern.compile("h\\.\\d+\\.(attn\\.c_attn|attn\\.c_proj|mlp\\.c_fc|mlp\\.c_proj)\\.weight");

    private HfGpt2() {
    }

    /** True for the weights Hugging Face stores as Conv1D (in, out). */
    public static boolean isConv1dWeight(String name) {
        return CONV1D.matcher(name).matches();
    }

    /** Loads a Hugging Face GPT-2 directory ({@code config.json} + {@code model.safetensors}) as an F32 model. */
    public static Gpt load(Path dir, TensorFactory tensors) throws IOException {
        Path config = dir.resolve(Checkpoint.CONFIG);
        Path weights = dir.resolve(Checkpoint.WEIGHTS);
        for (Path p : new Path[] {config, weights}) {
            if (!Files.isRegularFile(p)) {
                throw new CheckpointFormatException(dir + ": expected " + p.getFileName() + " in a Hugging Face GPT-2 directory");
            }
        }
        GptConfig cfg = ConfigJson.read(config);
        try (SafeTensors file = SafeTensors.open(weights)) {
            return load(file, cfg, tensors, DType.F32);
        }
    }

    /** A model of {@code config} with the weights of {@code file} (converted to {@code dtype}). */
    public static Gpt load(SafeTensors file, GptConfig config, TensorFactory tensors, DType dtype) throws IOException {
        Gpt model = Gpt.forLoading(config, tensors, dtype);
        try {
            loadInto(model, file);
            return model;
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * Replaces every parameter of {@code model} by the checkpoint's. All checks (missing or
     * unexpected tensors, shapes, dtypes) happen before any tensor is read.
     */
    public static void loadInto(Gpt model, SafeTensors file) throws IOException {
        ParameterLoader.load(model, file, true, model.config().tieWeights());
    }

}
