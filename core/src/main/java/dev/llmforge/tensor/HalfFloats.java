package dev.llmforge.tensor;

/** IEEE half (F16) and bfloat16 conversions, round-to-nearest-even. */
public final class HalfFloats {
    private HalfFloats() {
    }

    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    public static float f16ToFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    public static short floatToF16(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        if (Float.isNaN(f)) {
            return (short) (sign | 0x7e00);
        }
        float abs = Math.abs(f);
        if (abs >= 65520f) {
            return (short) (sign | 0x7c00);
        }
        if (abs < 0x1p-14f) {
            // subnormal: round |f| / 2^-24 to nearest even integer
            return (short) (sign | (int) Math.rint(abs * 0x1p24f));
        }
        int absBits = bits & 0x7fffffff;
        int rounded = absBits + 0xfff + ((absBits >>> 13) & 1);
        return (short) (sign | ((rounded - (112 << 23)) >>> 13));
    }
}
