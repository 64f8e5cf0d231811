package dev.llmforge.backend.tensorflow;

import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import java.nio.ByteBuffer;

/** Where {@link TfMath} puts TensorFlow ops: executed at once ({@link EagerEmitter}) or added to a graph ({@link GraphEmitter}). */
interface Emitter {
    OpBuilder op(String type);

    /** A constant of {@code shape} and {@code dtype} holding {@code data} (little-endian, position to limit). */
    TfValue constant(Shape shape, DType dtype, ByteBuffer data);
}
