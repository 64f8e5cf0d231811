package dev.llmforge.spi.capture;

import dev.llmforge.spi.NativeTensor;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * What one run of a {@link Program} reads: the input tensors (aligned with {@link Program#inputs()};
 * handles of the backend, valid for the duration of the run), the host bytes of each
 * {@link OpKind#FROM_BUFFER} (little-endian, read-only), and the numbers that vary between runs.
 */
public record Feeds(List<NativeTensor> inputs, List<ByteBuffer> data, double[] scalars, long[] longs) {
}
