package dev.llmforge.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a training run is, beyond its tensors: saved as {@code trainer.json} in a checkpoint so a
 * resumed run continues exactly.
 *
 * @param step            optimiser steps completed
 * @param tokensSeen      training tokens consumed so far
 * @param bestMetric      the evaluation metric that chooses the best checkpoint ({@code val_loss})
 * @param bestValue       its best value so far (NaN before the first evaluation)
 * @param elapsedSeconds  wall time spent in earlier runs of this training
 * @param models          each model's role and dropout stream positions, by name, the primary model first
 * @param optimizers      the optimisers' names, the primary first (their state is in the checkpoint's files)
 * @param optimizerSteps  each optimiser's step count when saved, by name (its state file must say the same)
 * @param sources         the position of each batch source ({@code train}, {@code eval.val}, ...)
 * @param objectiveState  the objective's own state ({@link Objective#state()})
 * @param config          the training configuration
 * @param data            what the run trained on, for information and checks (e.g. {@code directory}, {@code train_tokens},
 *                        {@code train_crc32c})
 */
public record TrainingState(long step, long tokensSeen, String bestMetric, double bestValue, double elapsedSeconds,
                            Map<String, ModelState> models, List<String> optimizers, Map<String, Map<String, Long>> sources,
                            Map<String, Long> objectiveState, TrainingConfig config, Map<String, String> data,
                            Map<String, Long> optimizerSteps) {
    static final String FORMAT = "llmforge-trainer";
    /** 3: optimiser step counts; 2: several models and optimisers; none: the single-model form. */
    static final int VERSION = 3;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** A model's role in the run and the positions of its dropout streams ({@code Module.randomState()}). */
    public record ModelState(boolean frozen, long[] randomState) {
        public ModelState {
            randomState = randomState.clone();
        }

        @Override
        public long[] randomState() {
            return randomState.clone();
        }
    }

    public TrainingState {
        models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
        optimizers = List.copyOf(optimizers);
        Map<String, Map<String, Long>> s = new LinkedHashMap<>();
        sources.forEach((k, v) -> s.put(k, Map.copyOf(v)));
        sources = Collections.unmodifiableMap(s);
        objectiveState = Map.copyOf(objectiveState);
        data = Collections.unmodifiableMap(new LinkedHashMap<>(data));
        optimizerSteps = Map.copyOf(optimizerSteps);
    }

    /** The JSON form ({@code trainer.json}), with the file names that hold each model and optimiser. */
    public byte[] toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("format", FORMAT);
        n.put("version", VERSION);
        n.put("step", step);
        n.put("tokens_seen", tokensSeen);
        ObjectNode best = n.putObject("best");
        best.put("metric", bestMetric);
        if (Double.isFinite(bestValue)) {
            best.put("value", bestValue);
        }
        n.put("elapsed_seconds", elapsedSeconds);
        ObjectNode modelsNode = n.putObject("models");
        int index = 0;
        for (Map.Entry<String, ModelState> e : models.entrySet()) {
            ObjectNode m = modelsNode.putObject(e.getKey());
            m.put("weights", TrainingCheckpoint.weightsFile(e.getKey(), index++ == 0));
            m.put("frozen", e.getValue().frozen());
            ArrayNode rng = m.putArray("rng");
            for (long s : e.getValue().randomState) {
                rng.add(s);
            }
        }
        ObjectNode optimizersNode = n.putObject("optimizers");
        for (int i = 0; i < optimizers.size(); i++) {
            ObjectNode o = optimizersNode.putObject(optimizers.get(i)).put("state", TrainingCheckpoint.optimizerFile(optimizers.get(i), i == 0));
            if (optimizerSteps.containsKey(optimizers.get(i))) {
                o.put("step", optimizerSteps.get(optimizers.get(i)));
            }
        }
        ObjectNode sourcesNode = n.putObject("sources");
        sources.forEach((name, state) -> putLongs(sourcesNode.putObject(name), state));
        putLongs(n.putObject("objective"), objectiveState);
        ObjectNode dataNode = n.putObject("data");
        data.forEach(dataNode::put);
        ObjectNode training = n.putObject("training_config");
        PretrainSettings.trainingValues(config).forEach((k, v) -> training.putPOJO(k, v));
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise the training state", e);
        }
    }

    private static void putLongs(ObjectNode node, Map<String, Long> values) {
        values.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> node.put(e.getKey(), e.getValue()));
    }

    /** Reads {@link #toJson()} (and the single-model form written before version 2); {@code source} names the file for error messages. */
    public static TrainingState fromJson(byte[] json, String source) throws IOException {
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (IOException e) {
            throw new IOException(source + ": not valid JSON: " + e.getMessage(), e);
        }
        if (n == null || !FORMAT.equals(n.path("format").asText())) {
            throw new IOException(source + ": expected \"format\": \"" + FORMAT + "\", found " + (n == null ? "an empty file" : n.path("format")));
        }
        long step = nonNegative(n, "step", source);
        long tokens = nonNegative(n, "tokens_seen", source);
        TrainingConfig config = config(n.path("training_config"), source);
        Map<String, String> data = new LinkedHashMap<>();
        n.path("data").properties().forEach(e -> data.put(e.getKey(), e.getValue().asText()));
        double elapsed = n.path("elapsed_seconds").asDouble(0);
        if (!n.has("version")) {
            return fromSingleModelForm(n, step, tokens, elapsed, config, data, source);
        }
        Map<String, ModelState> models = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : n.path("models").properties()) {
            models.put(e.getKey(), new ModelState(e.getValue().path("frozen").asBoolean(false),
                    longArray(e.getValue().path("rng"), source + " models." + e.getKey() + ".rng")));
        }
        if (models.isEmpty()) {
            throw new IOException(source + ": lists no models");
        }
        List<String> optimizers = List.copyOf(iterable(n.path("optimizers").fieldNames()));
        Map<String, Map<String, Long>> sources = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : n.path("sources").properties()) {
            sources.put(e.getKey(), longs(e.getValue(), source + " sources." + e.getKey()));
        }
        Map<String, Long> optimizerSteps = new LinkedHashMap<>();
        if (n.path("version").asInt() >= 3) {
            requireComplete(n, source);
            for (String o : optimizers) {
                optimizerSteps.put(o, nonNegative(n.path("optimizers").path(o), "step", source + " optimizers." + o));
            }
        }
        JsonNode best = n.path("best");
        return new TrainingState(step, tokens, best.path("metric").asText("val_loss"), best.path("value").asDouble(Double.NaN), elapsed, models,
                optimizers, sources, longs(n.path("objective"), source + " objective"), config, data, optimizerSteps);
    }

    /** Every part a resume needs is there: a missing one would silently become a default and the run would not continue exactly. */
    private static void requireComplete(JsonNode n, String source) throws IOException {
        for (String key : List.of("best", "elapsed_seconds", "models", "optimizers", "sources", "objective", "data", "training_config")) {
            if (!n.has(key)) {
                throw new IOException(source + ": has no '" + key + "' (every part of the state is needed to resume exactly)");
            }
        }
        if (!n.path("best").has("metric")) {
            throw new IOException(source + ": has no 'best.metric'");
        }
        Set<String> given = new HashSet<>();
        n.path("training_config").fieldNames().forEachRemaining(k -> given.add(PretrainSettings.canonical(k)));
        for (String key : PretrainSettings.trainingValues(TrainingConfig.nanoGptShakespeareChar()).keySet()) {
            if (!given.contains(key)) {
                throw new IOException(source + ": training_config has no '" + key + "' (every training setting is needed to resume exactly)");
            }
        }
    }

    /**
     * The form written before runs held several models: one model, one optimiser, and the two
     * generators of pretraining (training windows; both evaluation splits).
     */
    private static TrainingState fromSingleModelForm(JsonNode n, long step, long tokens, double elapsed, TrainingConfig config,
                                                     Map<String, String> data, String source) throws IOException {
        JsonNode rng = n.path("rng");
        long train = integer(rng, "train", source + " rng");
        long eval = integer(rng, "eval", source + " rng");
        Map<String, Map<String, Long>> sources = new LinkedHashMap<>();
        sources.put(Trainer.TRAIN_SOURCE, Map.of("rng", train));
        sources.put(Trainer.evalSourceKey(Pretraining.TRAIN_SPLIT), Map.of("rng", eval));
        sources.put(Trainer.evalSourceKey(Pretraining.VAL_SPLIT), Map.of("rng", eval));
        Map<String, ModelState> models = Map.of(Trainer.DEFAULT_MODEL, new ModelState(false, longArray(rng.path("model"), source + " rng.model")));
        return new TrainingState(step, tokens, "val_loss", n.path("best_val_loss").asDouble(Double.NaN), elapsed, models,
                List.of(Trainer.DEFAULT_OPTIMIZER), sources, Map.of(), config, data, Map.of());
    }

    private static TrainingConfig config(JsonNode node, String source) throws IOException {
        Map<String, String> settings = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            settings.put(e.getKey(), e.getValue().asText());
        }
        try {
            return PretrainSettings.applyTraining(settings, source + " training_config", TrainingConfig.nanoGptShakespeareChar());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static long integer(JsonNode n, String key, String source) throws IOException {
        JsonNode v = n.path(key);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new IOException(source + ": needs an integer '" + key + "', found " + v);
        }
        return v.asLong();
    }

    private static long nonNegative(JsonNode n, String key, String source) throws IOException {
        long v = integer(n, key, source);
        if (v < 0) {
            throw new IOException(source + ": '" + key + "' must be 0 or more, found " + v);
        }
        return v;
    }

    private static Map<String, Long> longs(JsonNode node, String where) throws IOException {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            out.put(e.getKey(), integer(node, e.getKey(), where));
        }
        return out;
    }

    private static long[] longArray(JsonNode node, String where) throws IOException {
        if (!node.isArray()) {
            throw new IOException(where + " must be an array of integers, found " + node);
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            if (!node.get(i).isIntegralNumber()) {
                throw new IOException(where + " must be an array of integers, found " + node);
            }
            out[i] = node.get(i).asLong();
        }
        return out;
    }

    private static <T> List<T> iterable(Iterator<T> it) {
        List<T> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
