package dev.llmforge.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.optim.Optimizer;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A model directory: {@code model.safetensors} + {@code config.json} (+ {@code tokenizer.json},
 * + {@code optimizer.safetensors} for resuming, + any extra files). A directory is written whole
 * into a temporary sibling and swapped into place, so a crash never leaves a half-written
 * checkpoint where a good one was (at worst the previous one remains under a {@code .old-} name).
 */
public final class Checkpoint {
    public static final String WEIGHTS = "model.safetensors";
    public static final String CONFIG = "config.json";
    public static final String TOKENIZER = "tokenizer.json";
    public static final String OPTIMIZER = "optimizer.safetensors";
    static final String STEP_KEY = "step";
    static final String LR_KEY = "lr";

    private Checkpoint() {
    }

    /** Saves the model (weights in their dtype) and its config to {@code dir}. */
    public static void save(Path dir, Gpt model) throws IOException {
        writer(dir).model(model).write();
    }

    /** A writer for a directory holding several parts. */
    public static Writer writer(Path dir) {
        return new Writer(dir);
    }

    /** Collects the parts of a checkpoint and writes them in one atomic directory swap. */
    public static final class Writer {
        private final Path dir;
        private Gpt model;
        private DType floatStorage;
        private String tokenizerJson;
        private Optimizer optimizer;
        private final Map<String, byte[]> extra = new LinkedHashMap<>();

        private Writer(Path dir) {
            this.dir = dir;
        }

        public Writer model(Gpt m) {
            model = m;
            return this;
        }

        /** Stores floating-point weights as F16, BF16 or F32 (default: the parameters' own dtype). */
        public Writer floatStorage(DType dtype) {
            floatStorage = dtype;
            return this;
        }

        public Writer tokenizerJson(String json) {
            tokenizerJson = json;
            return this;
        }

        /** Adds the optimiser's state tensors, step count and learning rate. */
        public Writer optimizer(Optimizer o) {
            optimizer = o;
            return this;
        }

        /** Adds any other file (e.g. training state as JSON). */
        public Writer file(String name, byte[] content) {
            if (name.contains("/") || name.contains("\\") || name.startsWith(".")) {
                throw new IllegalArgumentException("checkpoint file names must be plain names, got '" + name + "'");
            }
            extra.put(name, content.clone());
            return this;
        }

        public void write() throws IOException {
            if (model == null) {
                throw new IllegalStateException("a checkpoint needs a model");
            }
            Path target = dir.toAbsolutePath();
            Path parent = target.getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp-");
            try {
                SafeTensorsWriter.write(tmp.resolve(WEIGHTS), model.namedParameters(), Map.of("format", "pt"), floatStorage);
                ConfigJson.write(tmp.resolve(CONFIG), model.config());
                if (tokenizerJson != null) {
                    AtomicFiles.write(tmp.resolve(TOKENIZER), tokenizerJson.getBytes(StandardCharsets.UTF_8));
                }
                if (optimizer != null) {
                    SafeTensorsWriter.write(tmp.resolve(OPTIMIZER), optimizer.stateTensors(), Map.of(STEP_KEY,
                            Long.toString(optimizer.stepCount()), LR_KEY, Double.toString(optimizer.learningRate())));
                }
                for (Map.Entry<String, byte[]> e : extra.entrySet()) {
                    AtomicFiles.write(tmp.resolve(e.getKey()), e.getValue());
                }
                swapIn(tmp, target);
            } catch (IOException | RuntimeException e) {
                deleteTree(tmp);
                throw e;
            }
        }
    }

    private static void swapIn(Path fresh, Path target) throws IOException {
        if (!Files.exists(target)) {
            Files.move(fresh, target, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        if (!Files.isDirectory(target)) {
            throw new IOException(target + " exists and is not a directory");
        }
        Path old = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".old-");
        Files.delete(old);
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        Files.move(fresh, target, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(old);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    // ---- reading ----------------------------------------------------------------------------------------

    /** Loads the model of a directory as F32 on {@code backend}'s CPU. */
    public static Gpt loadModel(Path dir, Backend backend) throws IOException {
        return loadModel(dir, Tensor.on(backend), DType.F32);
    }

    /** Loads the model of a directory as F32. */
    public static Gpt loadModel(Path dir, TensorFactory tensors) throws IOException {
        return loadModel(dir, tensors, DType.F32);
    }

    /**
     * Loads the model of a directory written by llmforge or a Hugging Face GPT-2 directory (told
     * apart by {@code config.json}), with parameters of {@code dtype}.
     */
    public static Gpt loadModel(Path dir, TensorFactory tensors, DType dtype) throws IOException {
        Path configFile = requireFile(dir, CONFIG);
        Path weights = requireFile(dir, WEIGHTS);
        JsonNode json = ConfigJson.readTree(configFile);
        GptConfig config = ConfigJson.fromJson(json, configFile.toString());
        boolean hf = !ConfigJson.isLlmforge(json);
        try (SafeTensors file = SafeTensors.open(weights)) {
            Gpt model = Gpt.forLoading(config, tensors, dtype);
            try {
                ParameterLoader.load(model, file, hf);
                return model;
            } catch (IOException | RuntimeException e) {
                model.close();
                throw e;
            }
        }
    }

    /** The config of a directory. */
    public static GptConfig loadConfig(Path dir) throws IOException {
        return ConfigJson.read(requireFile(dir, CONFIG));
    }

    /** The directory's {@code tokenizer.json}, if it has one. */
    public static Optional<String> tokenizerJson(Path dir) throws IOException {
        Path p = dir.resolve(TOKENIZER);
        return Files.isRegularFile(p) ? Optional.of(Files.readString(p, StandardCharsets.UTF_8)) : Optional.empty();
    }

    public static boolean hasOptimizerState(Path dir) {
        return Files.isRegularFile(dir.resolve(OPTIMIZER));
    }

    /** Restores an optimiser's state, step count and learning rate from the directory. */
    public static void loadOptimizer(Path dir, Optimizer optimizer) throws IOException {
        Path file = requireFile(dir, OPTIMIZER);
        try (SafeTensors st = SafeTensors.open(file); TensorScope ignored = TensorScope.open()) {
            String step = st.metadata().get(STEP_KEY);
            if (step == null) {
                throw new CheckpointFormatException(file + ": metadata has no '" + STEP_KEY + "' (the optimiser's step count)");
            }
            Map<String, Tensor> state = new LinkedHashMap<>();
            for (String name : st.tensors().keySet()) {
                Tensor like = likeParameter(optimizer, name);
                if (like == null) {
                    throw new CheckpointFormatException(file + ": state '" + name + "' belongs to no parameter of this optimiser");
                }
                if (!st.info(name).shape().equals(like.shape())) {
                    throw new CheckpointFormatException(file + ": state '" + name + "' has shape " + st.info(name).shape() + ", expected "
                            + like.shape());
                }
                state.put(name, st.load(name, Tensor.on(like.backend(), like.device()), like.dtype()));
            }
            try {
                optimizer.loadState(state, Long.parseLong(step));
            } catch (NumberFormatException e) {
                throw new CheckpointFormatException(file + ": step '" + step + "' is not an integer");
            }
            String lr = st.metadata().get(LR_KEY);
            if (lr != null) {
                optimizer.setLearningRate(Double.parseDouble(lr));
            }
        }
    }

    /** The parameter a state entry ({@code kind.paramName}) belongs to, or null. */
    private static Tensor likeParameter(Optimizer optimizer, String stateName) {
        int dot = stateName.indexOf('.');
        return dot < 0 ? null : optimizer.parameters().get(stateName.substring(dot + 1));
    }

    private static Path requireFile(Path dir, String name) throws CheckpointFormatException {
        Path p = dir.resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new CheckpointFormatException(dir + ": expected " + name + " in the model directory");
        }
        return p;
    }
}
