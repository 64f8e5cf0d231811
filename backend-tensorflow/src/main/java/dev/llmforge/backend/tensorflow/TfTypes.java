package dev.llmforge.backend.tensorflow;

import dev.llmforge.tensor.DType;

/** llmforge element types and TensorFlow's {@code TF_DataType} codes. */
final class TfTypes {
    static final int TF_FLOAT = 1;
    static final int TF_DOUBLE = 2;
    static final int TF_INT32 = 3;
    static final int TF_INT64 = 9;
    static final int TF_BOOL = 10;
    static final int TF_BFLOAT16 = 14;
    static final int TF_HALF = 19;

    private TfTypes() {
    }

    static int code(DType dtype) {
        return switch (dtype) {
            case F32 -> TF_FLOAT;
            case F64 -> TF_DOUBLE;
            case I32 -> TF_INT32;
            case I64 -> TF_INT64;
            case BOOL -> TF_BOOL;
            case BF16 -> TF_BFLOAT16;
            case F16 -> TF_HALF;
        };
    }

    static DType dtype(int code) {
        return switch (code) {
            case TF_FLOAT -> DType.F32;
            case TF_DOUBLE -> DType.F64;
            case TF_INT32 -> DType.I32;
            case TF_INT64 -> DType.I64;
            case TF_BOOL -> DType.BOOL;
            case TF_BFLOAT16 -> DType.BF16;
            case TF_HALF -> DType.F16;
            default -> throw new IllegalStateException("TensorFlow returned element type " + code + ", which llmforge has no DType for");
        };
    }
}
