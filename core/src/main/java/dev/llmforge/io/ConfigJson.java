package dev.llmforge.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmforge.model.GptConfig;
import dev.llmforge.nn.FeedForward.Activation;
import dev.llmforge.nn.Norm;
import dev.llmforge.nn.RotaryEmbedding;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@link GptConfig} as {@code config.json}. llmforge writes its own format (marked
 * {@code "format": "llmforge-gpt"}); it also reads Hugging Face GPT-2 configs
 * ({@code "model_type": "gpt2"}). HF dropout settings are not carried over (dropout 0: set it
 * explicitly for training).
 */
public final class ConfigJson {
    public static final String FORMAT = "llmforge-gpt";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private ConfigJson() {
    }

    /** The llmforge JSON form of a config. */
    public static ObjectNode toJson(GptConfig c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("format", FORMAT);
        n.put("vocab_size", c.vocabSize());
        n.put("block_size", c.blockSize());
        n.put("n_layer", c.nLayer());
        n.put("n_head", c.nHead());
        n.put("n_kv_head", c.nKvHead());
        n.put("n_embd", c.nEmbd());
        n.put("ffn_hidden", c.ffnHidden());
        n.put("norm", lower(c.norm()));
        n.put("norm_eps", c.normEps());
        n.put("activation", lower(c.activation()));
        n.put("positions", lower(c.positions()));
        n.put("rope_theta", c.ropeTheta());
        n.put("rope_style", lower(c.ropeStyle()));
        n.put("bias", c.bias());
        n.put("tie_weights", c.tieWeights());
        n.put("dropout", c.dropout());
        n.put("init_std", c.initStd());
        return n;
    }

    public static String toJsonString(GptConfig c) {
        try {
            return JSON.writeValueAsString(toJson(c));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code config.json} atomically. */
    public static void write(Path file, GptConfig c) throws IOException {
        AtomicFiles.write(file, JSON.writeValueAsBytes(toJson(c)));
    }

    public static GptConfig read(Path file) throws IOException {
        return fromJson(readTree(file), file.toString());
    }

    static JsonNode readTree(Path file) throws IOException {
        try {
            return JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new CheckpointFormatException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** True for llmforge's own config format (weights in llmforge layout). */
    static boolean isLlmforge(JsonNode n) {
        return FORMAT.equals(n.path("format").asText());
    }

    /** A config from llmforge's or Hugging Face GPT-2's JSON. */
    public static GptConfig fromJson(JsonNode n, String source) throws CheckpointFormatException {
        if (n == null || !n.isObject()) {
            throw new CheckpointFormatException(source + ": config must be a JSON object");
        }
        try {
            if (isLlmforge(n)) {
                return fromLlmforge(n, source);
            }
            if ("gpt2".equals(n.path("model_type").asText())) {
                return fromHfGpt2(n, source);
            }
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(source + ": invalid config: " + e.getMessage(), e);
        }
        throw new CheckpointFormatException(source + ": unknown config: expected \"format\": \"" + FORMAT
                + "\" or a Hugging Face \"model_type\": \"gpt2\", found format=" + n.path("format") + ", model_type=" + n.path("model_type"));
    }

    private static GptConfig fromLlmforge(JsonNode n, String source) throws CheckpointFormatException {
        return GptConfig.builder()
                .vocabSize(requiredInt(n, "vocab_size", source))
                .blockSize(requiredInt(n, "block_size", source))
                .nLayer(requiredInt(n, "n_layer", source))
                .nHead(requiredInt(n, "n_head", source))
                .nKvHead(requiredInt(n, "n_kv_head", source))
                .nEmbd(requiredInt(n, "n_embd", source))
                .ffnHidden(requiredInt(n, "ffn_hidden", source))
                .norm(enumOf(Norm.Kind.class, requiredText(n, "norm", source), source))
                .normEps(requiredDouble(n, "norm_eps", source))
                .activation(enumOf(Activation.class, requiredText(n, "activation", source), source))
                .positions(enumOf(GptConfig.PositionEncoding.class, requiredText(n, "positions", source), source))
                .ropeTheta(requiredDouble(n, "rope_theta", source))
                .ropeStyle(enumOf(RotaryEmbedding.Style.class, requiredText(n, "rope_style", source), source))
                .bias(requiredBoolean(n, "bias", source))
                .tieWeights(requiredBoolean(n, "tie_weights", source))
                .dropout(requiredDouble(n, "dropout", source))
                .initStd(requiredDouble(n, "init_std", source))
                .build();
    }

    /**
     * Hugging Face GPT2Config keys (its defaults where a key is absent or null, except dropout); a key
     * present with a value of the wrong type is an error, not a default.
     */
    private static GptConfig fromHfGpt2(JsonNode n, String source) throws CheckpointFormatException {
        int embd = optionalInt(n, "n_embd", 768, source);
        String act = optionalText(n, "activation_function", "gelu_new", source);
        Activation activation = switch (act) {
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> Activation.GELU_TANH;
            case "gelu" -> Activation.GELU_EXACT;
            default -> throw new CheckpointFormatException(source + ": activation_function '" + act
                    + "' is not supported (expected gelu_new, gelu_pytorch_tanh or gelu)");
        };
        int positions = isAbsent(n, "n_positions") ? optionalInt(n, "n_ctx", 1024, source) : optionalInt(n, "n_positions", 0, source);
        return GptConfig.gpt2(optionalInt(n, "vocab_size", 50257, source), positions, optionalInt(n, "n_layer", 12, source),
                        optionalInt(n, "n_head", 12, source), embd).toBuilder()
                .ffnHidden(optionalInt(n, "n_inner", 4 * embd, source))
                .normEps(optionalDouble(n, "layer_norm_epsilon", 1e-5, source))
                .activation(activation)
                .tieWeights(optionalBoolean(n, "tie_word_embeddings", true, source))
                .initStd(optionalDouble(n, "initializer_range", 0.02, source))
                .build();
    }

    private static boolean isAbsent(JsonNode n, String key) {
        return n.get(key) == null || n.get(key).isNull();
    }

    private static int optionalInt(JsonNode n, String key, int absent, String source) throws CheckpointFormatException {
        return isAbsent(n, key) ? absent : requiredInt(n, key, source);
    }

    private static double optionalDouble(JsonNode n, String key, double absent, String source) throws CheckpointFormatException {
        return isAbsent(n, key) ? absent : requiredDouble(n, key, source);
    }

    private static boolean optionalBoolean(JsonNode n, String key, boolean absent, String source) throws CheckpointFormatException {
        return isAbsent(n, key) ? absent : requiredBoolean(n, key, source);
    }

    private static String optionalText(JsonNode n, String key, String absent, String source) throws CheckpointFormatException {
        return isAbsent(n, key) ? absent : requiredText(n, key, source);
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static <E extends Enum<E>> E enumOf(Class<E> type, String value, String source) throws CheckpointFormatException {
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            StringBuilder allowed = new StringBuilder();
            for (E c : type.getEnumConstants()) {
                allowed.append(allowed.length() == 0 ? "" : ", ").append(lower(c));
            }
            throw new CheckpointFormatException(source + ": '" + value + "' is not one of " + allowed);
        }
    }

    private static JsonNode required(JsonNode n, String key, String source) throws CheckpointFormatException {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            throw new CheckpointFormatException(source + ": config key \"" + key + "\" is missing");
        }
        return v;
    }

    private static int requiredInt(JsonNode n, String key, String source) throws CheckpointFormatException {
        JsonNode v = required(n, key, source);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new CheckpointFormatException(source + ": config key \"" + key + "\" must be an integer, found " + v);
        }
        return v.asInt();
    }

    private static double requiredDouble(JsonNode n, String key, String source) throws CheckpointFormatException {
        JsonNode v = required(n, key, source);
        if (!v.isNumber()) {
            throw new CheckpointFormatException(source + ": config key \"" + key + "\" must be a number, found " + v);
        }
        return v.asDouble();
    }

    private static boolean requiredBoolean(JsonNode n, String key, String source) throws CheckpointFormatException {
        JsonNode v = required(n, key, source);
        if (!v.isBoolean()) {
            throw new CheckpointFormatException(source + ": config key \"" + key + "\" must be true or false, found " + v);
        }
        return v.asBoolean();
    }

    private static String requiredText(JsonNode n, String key, String source) throws CheckpointFormatException {
        JsonNode v = required(n, key, source);
        if (!v.isTextual()) {
            throw new CheckpointFormatException(source + ": config key \"" + key + "\" must be a string, found " + v);
        }
        return v.asText();
    }
}
