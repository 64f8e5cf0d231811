package dev.llmforge.training;

import dev.llmforge.nn.Module;
import dev.llmforge.training.metrics.MetricNames;
import java.util.Objects;

/**
 * A model of a training run under its name (policy, reference, value, reward, ...). A frozen model
 * gets no gradients and no optimiser, stays in evaluation mode and is saved with checkpoints as it
 * is. The first model of a run is its primary model, saved where a plain model checkpoint keeps
 * its model ({@code model.safetensors}, {@code config.json}).
 *
 * @param name   letters, digits and '_', starting with a letter (it names the model's checkpoint files)
 * @param module the model
 * @param frozen true if it is not trained
 */
public record NamedModel(String name, Module module, boolean frozen) {
    public NamedModel {
        MetricNames.checkName("model", name);
        Objects.requireNonNull(module, "module");
    }
}
