package dev.llmforge.backend.tensorflow;

import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import org.tensorflow.internal.c_api.TF_Operation;

/** Output {@code index} of an op in a graph being built, with the static shape TensorFlow inferred. */
record GraphValue(TF_Operation op, int index, Shape shape, DType dtype) implements TfValue {
}
