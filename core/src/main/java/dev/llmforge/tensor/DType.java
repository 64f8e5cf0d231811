package dev.llmforge.tensor;

/** Element types. F16 and BF16 are declared for GPU backends; a backend lists the types it supports. */
public enum DType {
    F32(4, true),
    F64(8, true),
    F16(2, true),
    BF16(2, true),
    I32(4, false),
    I64(8, false),
    BOOL(1, false);

    private final int byteSize;
    private final boolean floating;

    DType(int byteSize, boolean floating) {
        this.byteSize = byteSize;
        this.floating = floating;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    public boolean isFloating() {
        return floating;
    }

    public boolean isInteger() {
        return this == I32 || this == I64;
    }
}
