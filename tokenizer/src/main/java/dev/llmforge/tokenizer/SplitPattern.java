package dev.llmforge.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * The pre-tokenization patterns that cut text into pieces before byte-pair merging. Each is implemented by a
 * hand-written scanner that yields exactly the pieces of the reference regex (tiktoken's Rust engine, or
 * Oniguruma in Hugging Face tokenizers), using the JVM's Unicode tables for {@code \p{L}} and {@code \p{N}}
 * and the Unicode White_Space property for {@code \s}.
 */
public enum SplitPattern {
    /** GPT-2 / r50k_base: {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}. */
    GPT2("'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+") {
        @Override
        int nextEnd(String text, int start, int limit) {
            return Gpt2Splitter.nextEnd(text, start, limit);
        }
    },
    /**
     * cl100k_base as tiktoken 0.7+ defines it:
     * {@code '(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s}.
     * Default for training.
     */
    CL100K("'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}++|\\p{N}{1,3}+| ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*+"
            + "|\\s++$|\\s*[\\r\\n]|\\s+(?!\\S)|\\s") {
        @Override
        int nextEnd(String text, int start, int limit) {
            return Cl100kSplitter.nextEnd(text, start, limit, true, 3);
        }
    },
    /**
     * cl100k with every digit a piece of its own ({@code \p{N}} for {@code \p{N}{1,3}+}), as LLaMA's tokenizer
     * splits digits: no merge joins digits, so "67" is always "6" "7" and a number's digits are the same tokens
     * wherever it occurs: the digit-level form in which small transformers learn arithmetic more easily (Lee et al.
     * 2023, "Teaching arithmetic to small transformers"). {@code bpe:N:digits} on the command line.
     */
    CL100K_DIGITS("'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}++|\\p{N}| ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*+"
            + "|\\s++$|\\s*[\\r\\n]|\\s+(?!\\S)|\\s") {
        @Override
        int nextEnd(String text, int start, int limit) {
            return Cl100kSplitter.nextEnd(text, start, limit, true, 1);
        }
    },
    /**
     * cl100k_base in the older form found in Hugging Face {@code tokenizer.json} conversions:
     * {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+}.
     * It differs from {@link #CL100K} only on a run of spaces that ends the text and holds a line break.
     */
    CL100K_LEGACY("(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
            + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+") {
        @Override
        int nextEnd(String text, int start, int limit) {
            return Cl100kSplitter.nextEnd(text, start, limit, false, 3);
        }
    };

    private final String regex;

    SplitPattern(String regex) {
        this.regex = regex;
    }

    /** The reference regex, as its origin writes it (for documentation; matching uses the scanner). */
    public String regex() {
        return regex;
    }

    /** Cuts {@code text} into the pieces the pattern matches; the pieces concatenate back to {@code text}. */
    public List<String> split(String text) {
        List<String> pieces = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = nextEnd(text, start, text.length());
            pieces.add(text.substring(start, end));
            start = end;
        }
        return pieces;
    }

    /** End of the piece that starts at {@code start}, treating {@code limit} as the end of the text. */
    abstract int nextEnd(String text, int start, int limit);
}
