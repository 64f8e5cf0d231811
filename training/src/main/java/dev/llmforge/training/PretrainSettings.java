package dev.llmforge.training;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmforge.model.GptConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The settings of a pretraining run as text key/value pairs, as they come from a JSON or properties
 * file or the command line, applied to a model builder and a training builder. Keys are the
 * command-line names ({@code n-layer}, {@code lr}, {@code max-iters}, ...); nanoGPT's names
 * ({@code n_layer}, {@code learning_rate}, {@code gradient_accumulation_steps}) and camelCase
 * ({@code nLayer}) are accepted too. An unknown key or an unreadable value is an error naming the
 * key, where it came from and what was expected.
 */
public final class PretrainSettings {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Setting> SETTINGS = new LinkedHashMap<>();
    private static final Map<String, String> ALIASES = Map.of(
            "learning-rate", "lr",
            "gradient-accumulation-steps", "grad-accum",
            "grad-accum-steps", "grad-accum",
            "on-non-finite", "on-nan");

    /** One key: its description, whether it shapes the model, and how it is read and written. */
    private record Setting(String key, String description, boolean model, Apply apply, Function<Values, Object> read) {
    }

    @FunctionalInterface
    private interface Apply {
        void apply(String value, GptConfig.Builder model, TrainingConfig.Builder training);
    }

    /** The two configurations read back by {@link Setting#read}. */
    private record Values(GptConfig model, TrainingConfig training) {
    }

    static {
        model("n-layer", "transformer blocks", (v, m) -> m.nLayer(count(v)), c -> c.nLayer());
        model("n-head", "attention heads", (v, m) -> m.nHead(count(v)).nKvHead(count(v)), c -> c.nHead());
        model("n-embd", "model width", (v, m) -> m.nEmbd(count(v)).ffnHidden(4 * count(v)), c -> c.nEmbd());
        model("block-size", "context length = training window (T)", (v, m) -> m.blockSize(count(v)), c -> c.blockSize());
        model("dropout", "dropout probability while training", (v, m) -> m.dropout(fraction(v)), c -> c.dropout());
        model("bias", "biases in linear layers and LayerNorms", (v, m) -> m.bias(parseBoolean(v)), c -> c.bias());
        training("batch-size", "windows per micro-batch (B)", (v, t) -> t.batchSize(count(v)), c -> c.batchSize());
        training("grad-accum", "micro-batches per optimiser step", (v, t) -> t.gradAccumSteps(count(v)), c -> c.gradAccumSteps());
        training("max-iters", "optimiser steps of the run", (v, t) -> t.maxIters(steps(v, 0)), c -> c.maxIters());
        training("lr", "peak learning rate", (v, t) -> t.learningRate(nonNegative(v)), c -> c.learningRate());
        training("min-lr", "learning rate at the end of the cosine decay", (v, t) -> t.minLr(nonNegative(v)), c -> c.minLr());
        training("warmup-iters", "linear warmup steps", (v, t) -> t.warmupIters(steps(v, 0)), c -> c.warmupIters());
        training("lr-decay-iters", "step where the cosine decay reaches min-lr", (v, t) -> t.lrDecayIters(steps(v, 0)), c -> c.lrDecayIters());
        training("decay-lr", "warmup + cosine decay (false: constant lr)", (v, t) -> t.decayLr(parseBoolean(v)), c -> c.decayLr());
        training("beta1", "AdamW beta1", (v, t) -> t.beta1(fraction(v)), c -> c.beta1());
        training("beta2", "AdamW beta2", (v, t) -> t.beta2(fraction(v)), c -> c.beta2());
        training("weight-decay", "AdamW weight decay (matrices and embeddings only)", (v, t) -> t.weightDecay(nonNegative(v)),
                c -> c.weightDecay());
        training("grad-clip", "global gradient-norm limit (0: off)", (v, t) -> t.gradClip(nonNegative(v)), c -> c.gradClip());
        training("eval-interval", "evaluate every N steps", (v, t) -> t.evalInterval(steps(v, 1)), c -> c.evalInterval());
        training("eval-iters", "batches per split per evaluation", (v, t) -> t.evalIters(count(v)), c -> c.evalIters());
        training("eval-at-start", "evaluate before the first step", (v, t) -> t.evalAtStart(parseBoolean(v)), c -> c.evalAtStart());
        training("seed", "seed of initialisation, batches and dropout", (v, t) -> t.seed(parseLong(v)), c -> c.seed());
        training("on-nan", "non-finite loss: stop or skip", (v, t) -> t.onNonFinite(parsePolicy(v)),
                c -> c.onNonFinite().name().toLowerCase(Locale.ROOT));
        training("compile", "run steps as compiled graphs where the backend can", (v, t) -> t.compile(parseBoolean(v)), c -> c.compile());
    }

    private PretrainSettings() {
    }

    private static void model(String key, String description, BiConsumer<String, GptConfig.Builder> apply,
                              Function<GptConfig, Object> read) {
        SETTINGS.put(key, new Setting(key, description, true, (v, m, t) -> apply.accept(v, m), x -> read.apply(x.model())));
    }

    private static void training(String key, String description, BiConsumer<String, TrainingConfig.Builder> apply,
                                 Function<TrainingConfig, Object> read) {
        SETTINGS.put(key, new Setting(key, description, false, (v, m, t) -> apply.accept(v, t), x -> read.apply(x.training())));
    }

    /** Every key with its description, in a stable order (model keys first). */
    public static Map<String, String> descriptions() {
        Map<String, String> out = new LinkedHashMap<>();
        SETTINGS.forEach((k, s) -> out.put(k, s.description()));
        return out;
    }

    /** The keys that change the model's shape. */
    public static List<String> modelKeys() {
        return SETTINGS.values().stream().filter(Setting::model).map(Setting::key).toList();
    }

    /**
     * The canonical key for a spelling ({@code n_layer}, {@code nLayer}, {@code learning_rate}, the flag
     * {@code --n-layer}), or null if unknown.
     */
    public static String canonical(String key) {
        String bare = key.trim();
        bare = bare.startsWith("--") ? bare.substring(2) : bare;
        String kebab = bare.replaceAll("([a-z0-9])([A-Z])", "$1-$2").replace('_', '-').toLowerCase(Locale.ROOT);
        kebab = ALIASES.getOrDefault(kebab, kebab);
        return SETTINGS.containsKey(kebab) ? kebab : null;
    }

    /**
     * Applies {@code settings} (in order) to the builders. {@code source} names where they came from
     * for error messages (a file name, "command line"). With a null {@code model} builder, model keys
     * are refused.
     *
     * @throws IllegalArgumentException for an unknown key or a value of the wrong form
     */
    public static void apply(Map<String, String> settings, String source, GptConfig.Builder model, TrainingConfig.Builder training) {
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String key = canonical(e.getKey());
            if (key == null) {
                throw new IllegalArgumentException("unknown setting '" + e.getKey() + "' in " + source + "; known settings: "
                        + String.join(", ", SETTINGS.keySet()));
            }
            Setting setting = SETTINGS.get(key);
            if (setting.model() && model == null) {
                throw new IllegalArgumentException("setting '" + e.getKey() + "' in " + source + " changes the model's shape; only training "
                        + "settings are allowed there");
            }
            try {
                setting.apply().apply(e.getValue().trim(), model, training);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("setting '" + e.getKey() + "' in " + source + ": " + ex.getMessage(), ex);
            }
        }
    }

    /**
     * Checks every key and value of {@code settings} on its own (known key, value of the right form and
     * range), so that a bad flag fails before any data is prepared or model built.
     *
     * @throws IllegalArgumentException naming the first bad key, where it came from and what was expected
     */
    public static void check(Map<String, String> settings, String source) {
        apply(settings, source, GptConfig.builder(), TrainingConfig.builder());
    }

    /** The training keys of {@code settings} applied to {@code base}. */
    public static TrainingConfig applyTraining(Map<String, String> settings, String source, TrainingConfig base) {
        TrainingConfig.Builder training = base.toBuilder();
        apply(settings, source, null, training);
        return training.build();
    }

    /** The values of every key for these configurations (for printing and for saving a run's settings). */
    public static Map<String, Object> values(GptConfig model, TrainingConfig training) {
        Values v = new Values(model, training);
        Map<String, Object> out = new LinkedHashMap<>();
        SETTINGS.forEach((k, s) -> out.put(k, s.read().apply(v)));
        return out;
    }

    /** The values of the training keys only. */
    public static Map<String, Object> trainingValues(TrainingConfig training) {
        Values v = new Values(null, training);
        Map<String, Object> out = new LinkedHashMap<>();
        SETTINGS.forEach((k, s) -> {
            if (!s.model()) {
                out.put(k, s.read().apply(v));
            }
        });
        return out;
    }

    /**
     * Reads a settings file: {@code .json} (one object of key → number/boolean/string) or
     * {@code .properties}. Keys are returned as written; {@link #apply} checks them.
     */
    public static Map<String, String> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("config file " + file + " does not exist");
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        Map<String, String> out = new LinkedHashMap<>();
        if (name.endsWith(".json")) {
            JsonNode root;
            try {
                root = JSON.readTree(file.toFile());
            } catch (JsonProcessingException e) {
                throw new IOException("config file " + file + " is not valid JSON: " + e.getOriginalMessage(), e);
            }
            if (root == null || !root.isObject()) {
                throw new IOException("config file " + file + ": expected a JSON object of settings, found " + (root == null ? "nothing" : root.getNodeType()));
            }
            for (Map.Entry<String, JsonNode> e : root.properties()) {
                if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                    throw new IOException("config file " + file + ": setting '" + e.getKey() + "' must be a number, boolean or string, found "
                            + e.getValue());
                }
                out.put(e.getKey(), e.getValue().asText());
            }
        } else if (name.endsWith(".properties")) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            List<String> keys = new ArrayList<>(p.stringPropertyNames());
            keys.sort(null);
            for (String k : keys) {
                out.put(k, p.getProperty(k));
            }
        } else {
            throw new IOException("config file " + file + ": expected a .json or .properties file");
        }
        return out;
    }

    // ---- value parsing ---------------------------------------------------------------------------

    /** The largest count a setting takes ({@code n-layer}, {@code batch-size}, ...): products of a few stay far from overflow. */
    public static final int MAX_COUNT = 1 << 20;

    /** A positive integer up to {@link #MAX_COUNT}. */
    private static int count(String v) {
        long n = parseLong(v);
        if (n < 1 || n > MAX_COUNT) {
            throw new IllegalArgumentException("expected an integer from 1 to " + MAX_COUNT + ", found " + v);
        }
        return (int) n;
    }

    /** A number of steps, {@code min} or more. */
    private static long steps(String v, long min) {
        long n = parseLong(v);
        if (n < min) {
            throw new IllegalArgumentException("expected an integer of " + min + " or more, found " + v);
        }
        return n;
    }

    private static long parseLong(String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected an integer, found '" + v + "'");
        }
    }

    /** A finite number in [0, 1) (dropout, betas). */
    private static double fraction(String v) {
        double x = finite(v);
        if (!(x >= 0 && x < 1)) {
            throw new IllegalArgumentException("expected a number from 0 up to (not including) 1, found " + v);
        }
        return x;
    }

    /** A finite number of 0 or more (learning rates, weight decay, clipping). */
    private static double nonNegative(String v) {
        double x = finite(v);
        if (x < 0) {
            throw new IllegalArgumentException("expected a number of 0 or more, found " + v);
        }
        return x;
    }

    private static double finite(String v) {
        double x;
        try {
            x = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a number, found '" + v + "'");
        }
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException("expected a finite number, found " + v);
        }
        return x;
    }

    private static boolean parseBoolean(String v) {
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException("expected true or false, found '" + v + "'");
    }

    private static TrainingConfig.NonFinitePolicy parsePolicy(String v) {
        try {
            return TrainingConfig.NonFinitePolicy.valueOf(v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected stop or skip, found '" + v + "'");
        }
    }
}
