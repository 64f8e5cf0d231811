package dev.llmforge.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.model.MemoryBudget;
import dev.llmforge.nn.Module;
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

    /**
     * Collects the parts of a checkpoint and writes them in one atomic directory swap. The model of
     * {@link #model} is the directory's model ({@code model.safetensors}, {@code config.json}); a
     * training run that holds several models or optimisers adds the others under file names of its
     * own ({@link #weights}, {@link #config}, {@link #optimizer(String, Optimizer)}).
     */
    public static final class Writer {
        private final Path dir;
        private DType floatStorage;
        private String tokenizerJson;
        private final Map<String, Module> weights = new LinkedHashMap<>();
        private final Map<String, GptConfig> configs = new LinkedHashMap<>();
        private final Map<String, Optimizer> optimizers = new LinkedHashMap<>();
        private final Map<String, byte[]> extra = new LinkedHashMap<>();

        private Writer(Path dir) {
            this.dir = dir;
        }

        /** The directory's model: its parameters in {@code model.safetensors}, and {@code config.json} if it is a {@link Gpt}. */
        public Writer model(Module m) {
            weights(WEIGHTS, m);
            if (m instanceof Gpt gpt) {
                config(CONFIG, gpt.config());
            }
            return this;
        }

        /** The parameters of {@code m} in a safetensors file named {@code fileName}. */
        public Writer weights(String fileName, Module m) {
            weights.put(checkFileName(fileName), m);
            return this;
        }

        /** A model configuration as JSON in {@code fileName} (the format of {@code config.json}). */
        public Writer config(String fileName, GptConfig config) {
            configs.put(checkFileName(fileName), config);
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

        /** Adds the optimiser's state tensors, step count and learning rate ({@code optimizer.safetensors}). */
        public Writer optimizer(Optimizer o) {
            return optimizer(OPTIMIZER, o);
        }

        /** Adds an optimiser's state tensors, step count and learning rate under {@code fileName}. */
        public Writer optimizer(String fileName, Optimizer o) {
            optimizers.put(checkFileName(fileName), o);
            return this;
        }

        /** Adds any other file (e.g. training state as JSON). */
        public Writer file(String name, byte[] content) {
            extra.put(checkFileName(name), content.clone());
            return this;
        }

        private static String checkFileName(String name) {
            if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
                throw new IllegalArgumentException("checkpoint file names must be plain names, got '" + name + "'");
            }
            return name;
        }

        public void write() throws IOException {
            if (!weights.containsKey(WEIGHTS)) {
                throw new IllegalStateException("a checkpoint needs a model");
            }
            Path target = dir.toAbsolutePath();
            Path parent = target.getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp-");
            try {
                for (Map.Entry<String, Module> e : weights.entrySet()) {
                    SafeTensorsWriter.write(tmp.resolve(e.getKey()), e.getValue().namedParameters(), Map.of("format", "pt"), floatStorage);
                }
                for (Map.Entry<String, GptConfig> e : configs.entrySet()) {
                    ConfigJson.write(tmp.resolve(e.getKey()), e.getValue());
                }
                if (tokenizerJson != null) {
                    AtomicFiles.write(tmp.resolve(TOKENIZER), tokenizerJson.getBytes(StandardCharsets.UTF_8));
                }
                for (Map.Entry<String, Optimizer> e : optimizers.entrySet()) {
                    Optimizer o = e.getValue();
                    SafeTensorsWriter.write(tmp.resolve(e.getKey()), o.stateTensors(), Map.of(STEP_KEY, Long.toString(o.stepCount()), LR_KEY,
                            Double.toString(o.learningRate())));
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
            ParameterLoader.checkSizes(config, configFile, file, hf);
            MemoryBudget.require(MemoryBudget.modelBytes(config, dtype, tensors.backend()), tensors.backend(),
                    "the model of " + configFile, "load it on a machine with more memory, or in a smaller dtype");
            Gpt model = Gpt.forLoading(config, tensors, dtype);
            try {
                ParameterLoader.load(model, file, hf, config.tieWeights());
                return model;
            } catch (IOException | RuntimeException e) {
                model.close();
                throw e;
            }
        }
    }

    /**
     * Fills the parameters of {@code module} from the safetensors file {@code fileName} of the
     * directory, written by {@link Writer#weights}: every parameter must be there with its shape.
     */
    public static void loadWeights(Path dir, String fileName, Module module) throws IOException {
        ModuleWeights.load(requireFile(dir, fileName), module);
    }

    /**
     * The config of a directory, checked against the sizes in the header of its {@code model.safetensors}
     * (if it has one), so a config that asks for far more than the weights hold is refused before a
     * model of it is built.
     */
    public static GptConfig loadConfig(Path dir) throws IOException {
        Path configFile = requireFile(dir, CONFIG);
        JsonNode json = ConfigJson.readTree(configFile);
        GptConfig config = ConfigJson.fromJson(json, configFile.toString());
        Path weights = dir.resolve(WEIGHTS);
        if (Files.isRegularFile(weights)) {
            try (SafeTensors file = SafeTensors.open(weights)) {
                ParameterLoader.checkSizes(config, configFile, file, !ConfigJson.isLlmforge(json));
            }
        }
        return config;
    }

    /** The directory's {@code tokenizer.json}, if it has one. */
    public static Optional<String> tokenizerJson(Path dir) throws IOException {
        Path p = dir.resolve(TOKENIZER);
        return Files.isRegularFile(p) ? Optional.of(Files.readString(p, StandardCharsets.UTF_8)) : Optional.empty();
    }

    public static boolean hasOptimizerState(Path dir) {
        return Files.isRegularFile(dir.resolve(OPTIMIZER));
    }

    /** Restores an optimiser's state, step count and learning rate from the directory's {@code optimizer.safetensors}. */
    public static void loadOptimizer(Path dir, Optimizer optimizer) throws IOException {
        loadOptimizer(dir, OPTIMIZER, optimizer);
    }

    /** Restores an optimiser's state, step count and learning rate from the file {@code fileName} of the directory. */
    public static void loadOptimizer(Path dir, String fileName, Optimizer optimizer) throws IOException {
        Path file = requireFile(dir, fileName);
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
