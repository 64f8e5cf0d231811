package dev.llmforge.backend.tensorflow;

import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;

/**
 * A value the TensorFlow math ({@link TfMath}) computes with: an eager tensor ({@link TfTensor}) or
 * an output of a graph being built ({@link GraphValue}).
 */
interface TfValue {
    Shape shape();

    DType dtype();
}
