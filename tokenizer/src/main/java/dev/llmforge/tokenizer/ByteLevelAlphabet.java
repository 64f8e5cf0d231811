package dev.llmforge.tokenizer;

import java.util.Arrays;

/**
 * GPT-2's reversible mapping between bytes and printable characters ({@code bytes_to_unicode}): the bytes
 * {@code !..~}, {@code ¡..¬} and {@code ®..ÿ} stand for themselves, the other 68 bytes for U+0100 onwards in
 * byte order (so the space 0x20 is {@code Ġ}). Token strings in {@code encoder.json}, {@code vocab.bpe} and
 * Hugging Face byte-level vocabularies are written in this alphabet.
 */
final class ByteLevelAlphabet {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[256 + 68];

    static {
        Arrays.fill(CHAR_TO_BYTE, -1);
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + extra++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevelAlphabet() {
    }

    static String toText(byte[] bytes) {
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(chars);
    }

    /**
     * Bytes that {@code token} stands for.
     *
     * @throws IllegalArgumentException naming the first character outside the alphabet
     */
    static byte[] toBytes(String token) {
        byte[] bytes = new byte[token.length()];
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
            if (b < 0) {
                throw new IllegalArgumentException(String.format(
                        "token \"%s\" has character U+%04X at index %d, which is not in GPT-2's byte-level alphabet",
                        token, (int) c, i));
            }
            bytes[i] = (byte) b;
        }
        return bytes;
    }
}
