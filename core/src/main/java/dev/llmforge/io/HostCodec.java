package dev.llmforge.io;

import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.HalfFloats;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Little-endian element decoding/encoding on the host, for dtype conversion while loading or saving. */
final class HostCodec {
    private HostCodec() {
    }

    static double[] decode(ByteBuffer bytes, DType dtype, int n) {
        ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int p = b.position();
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (dtype) {
                case F32 -> b.getFloat(p + 4 * i);
                case F64 -> b.getDouble(p + 8 * i);
                case F16 -> HalfFloats.f16ToFloat(b.getShort(p + 2 * i));
                case BF16 -> HalfFloats.bf16ToFloat(b.getShort(p + 2 * i));
                case I32 -> b.getInt(p + 4 * i);
                case I64 -> b.getLong(p + 8 * i);
                case BOOL -> b.get(p + i) != 0 ? 1 : 0;
            };
        }
        return out;
    }

    /** Re-encodes the elements of {@code bytes} (of {@code from}) as floating {@code to}. */
    static ByteBuffer convert(ByteBuffer bytes, DType from, DType to, int n) {
        double[] v = decode(bytes, from, n);
        ByteBuffer out = ByteBuffer.allocate(n * to.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (double d : v) {
            switch (to) {
                case F32 -> out.putFloat((float) d);
                case F64 -> out.putDouble(d);
                case F16 -> out.putShort(HalfFloats.floatToF16((float) d));
                case BF16 -> out.putShort(HalfFloats.floatToBf16((float) d));
                default -> throw new IllegalArgumentException("cannot convert " + from + " to " + to);
            }
        }
        out.flip();
        return out;
    }
}
