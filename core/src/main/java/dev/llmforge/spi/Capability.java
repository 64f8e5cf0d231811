package dev.llmforge.spi;

/**
 * Optional abilities. The conformance kit skips a test only when the backend does not declare the
 * capability it needs; any other {@code UnsupportedOperationException} fails the kit.
 */
public enum Capability {
    /** 64-bit floats in every primitive. */
    F64,
    /** Tensors with a zero-size dimension. */
    ZERO_SIZE,
    /** Half precision storage and arithmetic. */
    F16,
    BF16,
    /** Devices other than the CPU. */
    GPU
}
