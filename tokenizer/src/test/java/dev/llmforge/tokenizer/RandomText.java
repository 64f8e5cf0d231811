package dev.llmforge.tokenizer;

import java.util.Random;

/** Random strings that stress tokenizers: mixed scripts, odd spaces, emoji, combining marks, lone surrogates. */
public final class RandomText {
    private static final String[] POOL = buildPool();

    private RandomText() {
    }

    private static String[] buildPool() {
        StringBuilder ascii = new StringBuilder();
        for (char c = 0x20; c < 0x7F; c++) {
            ascii.append(c);
        }
        String special = "\t\n\r\u000B\u000C  \n\n\r\n''''sdmtSDMTllLLvereRE"
                + "\u0085\u00A0\u1680\u2000\u2009\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF\u180E\u200B\u001C\u001F\u0000"
                + "\u017F\u212A\u0130\u0131éßΩжア中文한ـٹ\u0301\u0308\u093F²³½Ⅻ٣۵߁१〇⑴¿¡€£©®ªºµ‐“”…\u200D";
        String[] supplementary = {"𝟘", "𐍈", "😀", "🇫", "🇷", "🎉", "👩‍⚕️", "\uD800", "\uDC00", "\uDBFF"};
        String[] pool = new String[ascii.length() * 3 + special.length() * 2 + supplementary.length * 3];
        int n = 0;
        for (int copy = 0; copy < 3; copy++) {
            for (char c : ascii.toString().toCharArray()) {
                pool[n++] = String.valueOf(c);
            }
            for (String s : supplementary) {
                pool[n++] = s;
            }
        }
        for (int copy = 0; copy < 2; copy++) {
            for (char c : special.toCharArray()) {
                pool[n++] = String.valueOf(c);
            }
        }
        return pool;
    }

    /** A string of up to {@code maxParts} pool entries or random code points of the Basic Multilingual Plane. */
    public static String next(Random random, int maxParts) {
        StringBuilder text = new StringBuilder();
        int parts = random.nextInt(maxParts + 1);
        for (int i = 0; i < parts; i++) {
            if (random.nextInt(10) == 0) {
                text.append((char) random.nextInt(0x10000));
            } else {
                text.append(POOL[random.nextInt(POOL.length)]);
            }
        }
        return text.toString();
    }
}
