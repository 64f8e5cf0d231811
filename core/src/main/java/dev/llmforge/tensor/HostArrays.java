package dev.llmforge.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Conversions between tensors and Java arrays, through little-endian buffers. */
final class HostArrays {
    private HostArrays() {
    }

    static float[] toFloats(Tensor t) {
        if (t.dtype() == DType.F32) {
            float[] out = new float[t.shape().size()];
            t.toBuffer().asFloatBuffer().get(out);
            return out;
        }
        double[] d = toDoubles(t);
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (float) d[i];
        }
        return out;
    }

    static double[] toDoubles(Tensor t) {
        ByteBuffer b = t.toBuffer();
        int n = t.shape().size();
        double[] out = new double[n];
        switch (t.dtype()) {
            case F64 -> b.asDoubleBuffer().get(out);
            case F32 -> {
                var f = b.asFloatBuffer();
                for (int i = 0; i < n; i++) {
                    out[i] = f.get(i);
                }
            }
            case I32 -> {
                var f = b.asIntBuffer();
                for (int i = 0; i < n; i++) {
                    out[i] = f.get(i);
                }
            }
            case I64 -> {
                var f = b.asLongBuffer();
                for (int i = 0; i < n; i++) {
                    out[i] = f.get(i);
                }
            }
            case BOOL -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.get(i) != 0 ? 1 : 0;
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = HalfFloats.f16ToFloat(b.getShort(2 * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = HalfFloats.bf16ToFloat(b.getShort(2 * i));
                }
            }
            default -> throw new IllegalStateException("unhandled dtype " + t.dtype());
        }
        return out;
    }

    static int[] toInts(Tensor t) {
        if (t.dtype() == DType.I32) {
            int[] out = new int[t.shape().size()];
            t.toBuffer().asIntBuffer().get(out);
            return out;
        }
        requireIntegral(t, "toIntArray");
        long[] l = toLongs(t);
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            out[i] = Math.toIntExact(l[i]);
        }
        return out;
    }

    static long[] toLongs(Tensor t) {
        requireIntegral(t, "toLongArray");
        ByteBuffer b = t.toBuffer();
        long[] out = new long[t.shape().size()];
        switch (t.dtype()) {
            case I64 -> b.asLongBuffer().get(out);
            case I32 -> {
                var f = b.asIntBuffer();
                for (int i = 0; i < out.length; i++) {
                    out[i] = f.get(i);
                }
            }
            default -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = b.get(i);
                }
            }
        }
        return out;
    }

    static boolean[] toBooleans(Tensor t) {
        if (t.dtype() != DType.BOOL) {
            throw new IllegalStateException("toBooleanArray needs a BOOL tensor, this one is " + t.dtype());
        }
        ByteBuffer b = t.toBuffer();
        boolean[] out = new boolean[t.shape().size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.get(i) != 0;
        }
        return out;
    }

    /** Encodes doubles as little-endian elements of {@code dtype}. */
    static ByteBuffer encode(double[] data, Shape shape, DType dtype) {
        if (shape.numel() != data.length) {
            throw new IllegalArgumentException("shape " + shape + " holds " + shape.numel() + " elements but " + data.length + " were given");
        }
        ByteBuffer b = ByteBuffer.allocate(data.length * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : data) {
            switch (dtype) {
                case F32 -> b.putFloat((float) v);
                case F64 -> b.putDouble(v);
                case I32 -> b.putInt((int) v);
                case I64 -> b.putLong((long) v);
                case BOOL -> b.put((byte) (v != 0 ? 1 : 0));
                case F16 -> b.putShort(HalfFloats.floatToF16((float) v));
                case BF16 -> b.putShort(HalfFloats.floatToBf16((float) v));
                default -> throw new IllegalStateException("unhandled dtype " + dtype);
            }
        }
        b.flip();
        return b;
    }

    private static void requireIntegral(Tensor t, String what) {
        if (!t.dtype().isInteger() && t.dtype() != DType.BOOL) {
            throw new IllegalStateException(what + " needs an integer tensor, this one is " + t.dtype());
        }
    }
}
