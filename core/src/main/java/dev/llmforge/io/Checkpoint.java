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
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A model directory: {@code model.safetensors} + {@code config.json} (+ {@code tokenizer.json},
 * + {@code optimizer.safetensors} for resuming, + any extra files). A directory is written whole
 * into a temporary sibling ({@code .NAME.tmp-*}), forced to disk and swapped into place, so a crash
 * never leaves a half-written checkpoint where a good one was: at worst, killed between the two
 * renames of the swap, the previous one remains under a {@code .NAME.old-*} name, which
 * {@link #movedAside} finds. A directory reached through a symbolic link is replaced where the link
 * points, and the link stays.
 */
public final class Checkpoint {
    public static final String WEIGHTS = "model.safetensors";
    public static final String CONFIG = "config.json";
    public static final String TOKENIZER = "tokenizer.json";
    public static final String OPTIMIZER = "optimizer.safetensors";
    static final String STEP_KEY = "step";
    static final String LR_KEY = "lr";
    /**
     * For kill trials only: milliseconds to sleep between the two renames of a swap (default 0), so
     * that a {@code kill -9} can land in the window where the previous checkpoint is moved aside and
     * the new one is not yet in place.
     */
    public static final String SWAP_PAUSE_PROPERTY = "llmforge.checkpoint.swapPauseMillis";

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
            Path target = realTarget(dir);
            Path parent = target.getParent();
            Files.createDirectories(parent);
            Path tmp = AtomicFiles.createDirectory(parent, tempPrefix(target));
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
                AtomicFiles.syncDirectory(tmp);
                swapIn(tmp, target);
            } catch (IOException | RuntimeException e) {
                deleteTree(tmp);
                throw e;
            }
        }
    }

    /**
     * The directory to replace: {@code dir}, or where it points if it is a symbolic link (also when
     * that is missing, as after a write killed mid-swap); a link to anything but a directory is refused.
     */
    private static Path realTarget(Path dir) throws IOException {
        Path target = writtenAt(dir);
        if (Files.exists(target) && !Files.isDirectory(target)) {
            throw new IOException(dir + " is a symbolic link to " + target + ", which is not a directory: point it at a directory, or "
                    + "remove the link");
        }
        return target;
    }

    /** Where the directory's contents live: {@code dir}, or the destination of the symbolic link {@code dir} (which may be missing). */
    private static Path writtenAt(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath();
        return Files.isSymbolicLink(abs) ? abs.getParent().resolve(Files.readSymbolicLink(abs)).normalize() : abs;
    }

    private static String tempPrefix(Path target) {
        return "." + target.getFileName() + ".tmp-";
    }

    private static String oldPrefix(Path target) {
        return "." + target.getFileName() + ".old-";
    }

    private static void swapIn(Path fresh, Path target) throws IOException {
        Path parent = target.getParent();
        if (!Files.exists(target)) {
            Files.move(fresh, target, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.syncDirectory(parent);
            return;
        }
        if (!Files.isDirectory(target)) {
            throw new IOException(target + " exists and is not a directory");
        }
        Path old = parent.resolve(oldPrefix(target) + fresh.getFileName().toString().substring(tempPrefix(target).length()));
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        pauseForKillTrials();
        Files.move(fresh, target, StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.syncDirectory(parent);
        deleteTree(old);
    }

    private static void pauseForKillTrials() throws IOException {
        long millis = Long.getLong(SWAP_PAUSE_PROPERTY, 0);
        if (millis > 0) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted between the renames of a checkpoint swap");
            }
        }
    }

    /**
     * The newest checkpoint that a write interrupted between the two renames of its swap left
     * next to {@code dir} under {@code .NAME.old-*}, holding {@code requiredFile}; empty if none.
     */
    public static Optional<Path> movedAside(Path dir, String requiredFile) throws IOException {
        List<Path> old = leftovers(dir, oldPrefix(writtenAt(dir))).stream().filter(p -> Files.isRegularFile(p.resolve(requiredFile)))
                .sorted(Comparator.comparingLong(Checkpoint::lastModified).reversed()).toList();
        return old.isEmpty() ? Optional.empty() : Optional.of(old.get(0));
    }

    /**
     * Deletes what interrupted writes of {@code dir} left next to it: temporary directories
     * ({@code .NAME.tmp-*}) and checkpoints moved aside ({@code .NAME.old-*}) except {@code keep}
     * (the one being resumed from; may be null).
     */
    public static void removeLeftovers(Path dir, Path keep) throws IOException {
        Path target = writtenAt(dir);
        Path kept = keep == null ? null : keep.toAbsolutePath().normalize();
        List<Path> found = new ArrayList<>(leftovers(dir, tempPrefix(target)));
        found.addAll(leftovers(dir, oldPrefix(target)));
        for (Path p : found) {
            if (!p.toAbsolutePath().normalize().equals(kept)) {
                deleteTree(p);
            }
        }
    }

    /** The directories next to where {@code dir} is written whose names start with {@code prefix}. */
    private static List<Path> leftovers(Path dir, String prefix) throws IOException {
        Path parent = writtenAt(dir).getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            return List.of();
        }
        try (Stream<Path> siblings = Files.list(parent)) {
            return siblings.filter(p -> p.getFileName().toString().startsWith(prefix) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .toList();
        }
    }

    private static long lastModified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Deletes a checkpoint directory and everything in it; through a symbolic link, the contents of
     * the directory it points to (the link and that directory stay, to be written again).
     */
    public static void delete(Path dir) throws IOException {
        if (!Files.isSymbolicLink(dir)) {
            deleteTree(dir);
            return;
        }
        if (Files.isDirectory(dir)) {
            try (Stream<Path> entries = Files.list(dir.toRealPath())) {
                for (Path p : entries.toList()) {
                    deleteTree(p);
                }
            }
        }
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
            } catch (IllegalArgumentException e) {
                throw new CheckpointFormatException(file + ": " + e.getMessage());
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
