package dev.llmforge.io;

import dev.llmforge.nn.Module;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The parameters of any {@link Module} (a head, a whole model) as one safetensors file, under
 * their dotted names. {@link Checkpoint} stores a model with its config and tokenizer; this stores
 * just the weights of a module whose structure the caller rebuilds.
 */
public final class ModuleWeights {
    private ModuleWeights() {
    }

    /** Writes every parameter of {@code module} in its dtype to {@code file}, atomically. */
    public static void save(Path file, Module module) throws IOException {
        SafeTensorsWriter.write(file, module.namedParameters(), Map.of("format", "pt"));
    }

    /**
     * Replaces every parameter of {@code module} with the tensor of the same name in {@code file}
     * (converted to the parameter's dtype). Every name and shape is checked before any data is read:
     * a missing, unexpected or misshapen tensor changes nothing and is reported with the file.
     */
    public static void load(Path file, Module module) throws IOException {
        try (SafeTensors st = SafeTensors.open(file)) {
            ParameterLoader.load(module, st, false, false);
        }
    }
}
