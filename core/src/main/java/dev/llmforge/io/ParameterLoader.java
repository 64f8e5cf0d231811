package dev.llmforge.io;

import dev.llmforge.model.GptConfig;
import dev.llmforge.model.Sizes;
import dev.llmforge.nn.Module;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Fills a module's parameters from a safetensors file in llmforge's or Hugging Face GPT-2's layout. */
final class ParameterLoader {
    private static final Pattern MASK_BUFFER = Pattern.compile("h\\.\\d+\\.attn\\.(bias|masked_bias)");
    private static final String HF_PREFIX = "transformer.";
    private static final Pattern LAYER = Pattern.compile("h\\.(\\d+)\\.");

    private ParameterLoader() {
    }

    /**
     * Checks every name, shape and dtype against the model before reading any tensor data, then
     * replaces the parameters. In the Hugging Face layout, Conv1D weights are transposed, the
     * {@code transformer.} prefix is dropped, mask buffers are skipped and, with {@code tiedHead}, an
     * {@code lm_head.weight} (the tied embedding) is accepted.
     */
    static void load(Module model, SafeTensors file, boolean hfLayout, boolean tiedHead) throws IOException {
        Map<String, Tensor> own = model.namedParameters();
        Map<String, String> sourceOf = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        TreeSet<String> unexpected = new TreeSet<>();
        for (TensorInfo info : file.tensors().values()) {
            String name = info.name();
            if (hfLayout) {
                name = name.startsWith(HF_PREFIX) ? name.substring(HF_PREFIX.length()) : name;
                if (MASK_BUFFER.matcher(name).matches()) {
                    continue;
                }
                if (name.equals("lm_head.weight") && tiedHead) {
                    expectShape(problems, info, own.get("wte.weight").shape());
                    continue;
                }
            }
            Tensor param = own.get(name);
            if (param == null) {
                unexpected.add(info.name());
                continue;
            }
            if (sourceOf.put(name, info.name()) != null) {
                problems.add("'" + name + "' appears twice (with and without the '" + HF_PREFIX + "' prefix)");
            }
            boolean transpose = hfLayout && HfGpt2.isConv1dWeight(name);
            expectShape(problems, info, transpose ? Shape.of(param.dim(1), param.dim(0)) : param.shape());
            if (!info.dtype().isFloating()) {
                problems.add("'" + info.name() + "' is " + info.dtype() + ", expected a floating-point dtype");
            }
        }
        TreeSet<String> missing = new TreeSet<>(own.keySet());
        missing.removeAll(sourceOf.keySet());
        if (!unexpected.isEmpty()) {
            problems.add(0, "unexpected for this config: " + unexpected);
        }
        if (!missing.isEmpty()) {
            problems.add(0, "missing for this config: " + missing);
        }
        if (!problems.isEmpty()) {
            throw new CheckpointFormatException(file + " does not match the model: " + String.join("; ", problems));
        }
        try (TensorScope ignored = TensorScope.open()) {
            Map<String, Tensor> values = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : sourceOf.entrySet()) {
                Tensor param = own.get(e.getKey());
                TensorFactory f = Tensor.on(param.backend(), param.device());
                Tensor t = file.load(e.getValue(), f, param.dtype());
                values.put(e.getKey(), hfLayout && HfGpt2.isConv1dWeight(e.getKey()) ? t.transpose(0, 1) : t);
            }
            model.loadParameters(values);
        }
    }

    /**
     * Compares the sizes a config asks for with the tensors' header before any model is built: the token
     * embedding's (vocab_size, n_embd), and that the config asks for no more layers and parameters than
     * the file holds (a config asking for less allocates less than the file's size, and {@link #load}
     * then names each tensor that differs).
     */
    static void checkSizes(GptConfig config, Path configFile, SafeTensors file, boolean hfLayout) throws CheckpointFormatException {
        String asks = String.format(Locale.ROOT, "%s (n_layer %d, vocab_size %d, n_embd %d: %,d parameters)", configFile, config.nLayer(),
                config.vocabSize(), config.nEmbd(), config.parameterCount());
        TreeSet<Integer> layers = new TreeSet<>();
        long values = 0;
        for (TensorInfo info : file.tensors().values()) {
            String name = hfLayout && info.name().startsWith(HF_PREFIX) ? info.name().substring(HF_PREFIX.length()) : info.name();
            if (hfLayout && (MASK_BUFFER.matcher(name).matches() || name.equals("lm_head.weight") && config.tieWeights())) {
                continue;
            }
            Matcher layer = LAYER.matcher(name);
            if (layer.lookingAt()) {
                layers.add(layer.group(1).length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(layer.group(1)));
            }
            if (name.equals("wte.weight") && !info.shape().equals(Shape.of(config.vocabSize(), config.nEmbd()))) {
                throw new CheckpointFormatException(asks + " does not match " + file + ": its token embedding '" + info.name()
                        + "' has shape " + info.shape() + ", expected (vocab_size, n_embd) = " + Shape.of(config.vocabSize(), config.nEmbd()));
            }
            values = Sizes.sum(values, info.shape().numel());
        }
        if (layers.size() < config.nLayer()) {
            throw new CheckpointFormatException(asks + " does not match " + file + ": it holds " + layers.size() + " layers"
                    + (layers.isEmpty() ? "" : " (h." + layers.first() + " to h." + layers.last() + ")"));
        }
        if (values < config.parameterCount()) {
            throw new CheckpointFormatException(String.format(Locale.ROOT, "%s does not match %s: it holds %,d parameter values", asks, file,
                    values));
        }
    }

    private static void expectShape(List<String> problems, TensorInfo info, Shape expected) {
        if (!info.shape().equals(expected)) {
            problems.add("'" + info.name() + "' has shape " + info.shape() + ", expected " + expected);
        }
    }
}
