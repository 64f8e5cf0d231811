package dev.llmforge.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a training run is, beyond the model and optimiser tensors: saved as {@code trainer.json} in
 * a checkpoint so a resumed run continues exactly.
 *
 * @param step             optimiser steps completed
 * @param trainRng         state of the generator that picks training windows
 * @param evalRng          state of the generator that picks evaluation windows
 * @param modelRandomState positions of the model's dropout seed streams ({@code Module.randomState()})
 * @param tokensSeen       training tokens consumed so far (the data position)
 * @param bestValLoss      lowest validation loss so far (NaN before the first evaluation)
 * @param elapsedSeconds   wall time spent in earlier runs of this training
 * @param config           the training configuration
 * @param dataDirectory    the data the run trained on (for information)
 * @param trainTokens      size of its train split (a different size on resume is reported)
 * @param valTokens        size of its validation split
 */
public record TrainingState(long step, long trainRng, long evalRng, long[] modelRandomState, long tokensSeen, double bestValLoss,
                           double elapsedSeconds, TrainingConfig config, String dataDirectory, long trainTokens, long valTokens) {
    static final String FORMAT = "llmforge-trainer";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public TrainingState {
        modelRandomState = modelRandomState.clone();
    }

    @Override
    public long[] modelRandomState() {
        return modelRandomState.clone();
    }

    /** The JSON form ({@code trainer.json}). */
    public byte[] toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("format", FORMAT);
        n.put("step", step);
        n.put("tokens_seen", tokensSeen);
        if (Double.isFinite(bestValLoss)) {
            n.put("best_val_loss", bestValLoss);
        }
        n.put("elapsed_seconds", elapsedSeconds);
        ObjectNode rng = n.putObject("rng");
        rng.put("train", trainRng);
        rng.put("eval", evalRng);
        ArrayNode model = rng.putArray("model");
        for (long s : modelRandomState) {
            model.add(s);
        }
        ObjectNode data = n.putObject("data");
        data.put("directory", dataDirectory);
        data.put("train_tokens", trainTokens);
        data.put("val_tokens", valTokens);
        ObjectNode training = n.putObject("training_config");
        PretrainSettings.trainingValues(config).forEach((k, v) -> training.putPOJO(k, v));
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise the training state", e);
        }
    }

    /** Reads {@link #toJson()}; {@code source} names the file for error messages. */
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
        JsonNode rng = n.path("rng");
        for (JsonNode required : new JsonNode[] {n.path("step"), n.path("tokens_seen"), rng.path("train"), rng.path("eval")}) {
            if (!required.canConvertToLong() || !required.isIntegralNumber()) {
                throw new IOException(source + ": needs integers step, tokens_seen, rng.train and rng.eval, found " + n);
            }
        }
        JsonNode model = rng.path("model");
        if (!model.isArray()) {
            throw new IOException(source + ": rng.model must be an array of integers, found " + model);
        }
        long[] modelState = new long[model.size()];
        for (int i = 0; i < modelState.length; i++) {
            modelState[i] = model.get(i).asLong();
        }
        Map<String, String> settings = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : n.path("training_config").properties()) {
            settings.put(e.getKey(), e.getValue().asText());
        }
        TrainingConfig config;
        try {
            config = PretrainSettings.applyTraining(settings, source + " training_config", TrainingConfig.nanoGptShakespeareChar());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        JsonNode data = n.path("data");
        return new TrainingState(n.get("step").asLong(), rng.get("train").asLong(), rng.get("eval").asLong(), modelState,
                n.get("tokens_seen").asLong(), n.has("best_val_loss") ? n.get("best_val_loss").asDouble() : Double.NaN,
                n.path("elapsed_seconds").asDouble(0), config, data.path("directory").asText(""), data.path("train_tokens").asLong(-1),
                data.path("val_tokens").asLong(-1));
    }
}
