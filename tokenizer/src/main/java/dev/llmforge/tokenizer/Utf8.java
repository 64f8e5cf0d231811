package dev.llmforge.tokenizer;

/** UTF-8 encoding of a char range into a caller's buffer, with a lone surrogate written as U+FFFD (EF BF BD). */
final class Utf8 {
    private Utf8() {
    }

    /** Most bytes that {@code chars} UTF-16 code units can take. */
    static int maxBytes(int chars) {
        return 3 * chars;
    }

    /** Writes {@code text[from, to)} to {@code out} from index 0 and returns the number of bytes. */
    static int encode(String text, int from, int to, byte[] out) {
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                out[n++] = (byte) c;
            } else if (c < 0x800) {
                out[n++] = (byte) (0xC0 | (c >> 6));
                out[n++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(text.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, text.charAt(++i));
                out[n++] = (byte) (0xF0 | (cp >> 18));
                out[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                out[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[n++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                char bmp = Character.isSurrogate(c) ? '\uFFFD' : c;
                out[n++] = (byte) (0xE0 | (bmp >> 12));
                out[n++] = (byte) (0x80 | ((bmp >> 6) & 0x3F));
                out[n++] = (byte) (0x80 | (bmp & 0x3F));
            }
        }
        return n;
    }
}
