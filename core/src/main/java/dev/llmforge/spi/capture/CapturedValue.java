package dev.llmforge.spi.capture;

import dev.llmforge.spi.NativeTensor;

/**
 * The handle core hands out for a value computed inside a captured step. Once the program that
 * computes it has run, it stands for the backend handle holding the value; a capturing backend's
 * kernels reach that handle through {@link CaptureSupport#unwrap}. Backends never make these.
 */
public interface CapturedValue extends NativeTensor {
    /**
     * The backend handle holding this value.
     *
     * @throws IllegalStateException if the value is closed, or its program has not run or failed
     */
    NativeTensor concrete();
}
