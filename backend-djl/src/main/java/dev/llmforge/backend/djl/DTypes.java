package dev.llmforge.backend.djl;

import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;

/** Conversions between llmforge and DJL element types and shapes. */
final class DTypes {
    private DTypes() {
    }

    static DataType djl(DType dtype) {
        return switch (dtype) {
            case F32 -> DataType.FLOAT32;
            case F64 -> DataType.FLOAT64;
            case F16 -> DataType.FLOAT16;
            case BF16 -> DataType.BFLOAT16;
            case I32 -> DataType.INT32;
            case I64 -> DataType.INT64;
            case BOOL -> DataType.BOOLEAN;
        };
    }

    static DType of(DataType dataType) {
        return switch (dataType) {
            case FLOAT32 -> DType.F32;
            case FLOAT64 -> DType.F64;
            case FLOAT16 -> DType.F16;
            case BFLOAT16 -> DType.BF16;
            case INT32 -> DType.I32;
            case INT64 -> DType.I64;
            case BOOLEAN -> DType.BOOL;
            default -> throw new IllegalStateException("PyTorch returned an element type llmforge does not use: " + dataType);
        };
    }

    static ai.djl.ndarray.types.Shape djl(Shape shape) {
        long[] dims = new long[shape.rank()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shape.dim(i);
        }
        return new ai.djl.ndarray.types.Shape(dims);
    }

    static long[] longs(Shape shape) {
        long[] dims = new long[shape.rank()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shape.dim(i);
        }
        return dims;
    }

    static long[] longs(int[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    /** The shape PyTorch reports for {@code array} (one native call). */
    static Shape shape(PtNDArray array) {
        long[] dims = array.getShape().getShape();
        int[] out = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            out[i] = Math.toIntExact(dims[i]);
        }
        return Shape.of(out);
    }
}
