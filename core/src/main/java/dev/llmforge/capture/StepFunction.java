package dev.llmforge.capture;

import dev.llmforge.tensor.Tensor;
import java.util.List;

/**
 * One step of work (typically forward, backward and optimiser update) written with ordinary tensor
 * code. It may update state tensors in place (optimisers use {@code adoptNative}/{@code replaceWith})
 * and returns the tensors the caller wants afterwards (e.g. the loss); no nulls.
 */
@FunctionalInterface
public interface StepFunction {
    List<Tensor> apply(List<Tensor> inputs);
}
