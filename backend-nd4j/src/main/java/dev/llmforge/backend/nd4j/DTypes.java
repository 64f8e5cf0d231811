package dev.llmforge.backend.nd4j;

import dev.llmforge.tensor.DType;
import org.nd4j.linalg.api.buffer.DataType;

/** The element types llmforge and ND4J share. */
final class DTypes {
    private DTypes() {
    }

    static DataType toNd4j(DType dtype) {
        return switch (dtype) {
            case F32 -> DataType.FLOAT;
            case F64 -> DataType.DOUBLE;
            case I32 -> DataType.INT32;
            case I64 -> DataType.INT64;
            case BOOL -> DataType.BOOL;
            case F16, BF16 -> throw new IllegalArgumentException("the nd4j backend does not support " + dtype
                    + " (it supports F32, F64, I32, I64 and BOOL)");
        };
    }

    static DType fromNd4j(DataType type) {
        // INT32 and INT64 are ND4J's aliases of the deprecated INT and LONG constants
        for (DType d : new DType[] {DType.F32, DType.F64, DType.I32, DType.I64, DType.BOOL}) {
            if (toNd4j(d) == type) {
                return d;
            }
        }
        throw new IllegalArgumentException("the nd4j backend does not use " + type + " arrays");
    }
}
