package dev.llmforge.tokenizer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Tokenizers as {@code tokenizer.json} files: a {@link CharTokenizer} in its own small format
 * ({@code "type": "char"}), a {@link BpeTokenizer} as a Hugging Face {@code tokenizer.json}, a
 * {@link SentencePieceTokenizer} (llama2.c's vocabulary) as {@code "type": "llama2c"}. Also
 * the command line's tokenizer names: {@code char}, {@code gpt2}, {@code bpe:N}, {@code bpe:N:digits}.
 */
public final class TokenizerFiles {
    public static final String FILE_NAME = "tokenizer.json";
    private static final String DIGITS_SUFFIX = ":digits";
    /** JSON reading for every tokenizer file: a key given twice is an error (Jackson would keep the last). */
    static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private TokenizerFiles() {
    }

    /**
     * The tokenizer a name asks for: {@code char} (the distinct characters of {@code corpus}),
     * {@code gpt2} (GPT-2's 50,257-token BPE), {@code bpe:N} (a byte-level BPE of N tokens learned
     * from {@code corpus}, cl100k's pre-tokenizer) or {@code bpe:N:digits} (the same with every digit a piece of its
     * own, {@link SplitPattern#CL100K_DIGITS}: no token holds two digits).
     */
    public static Tokenizer fromSpec(String spec, String corpus) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("char")) {
            return CharTokenizer.fromCorpus(corpus);
        }
        if (s.equals("gpt2")) {
            return BpeTokenizer.gpt2();
        }
        if (s.startsWith("bpe:")) {
            boolean digits = s.endsWith(DIGITS_SUFFIX);
            String number = s.substring(4, s.length() - (digits ? DIGITS_SUFFIX.length() : 0));
            int size;
            try {
                size = Integer.parseInt(number);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("tokenizer '" + spec + "': expected bpe:N or bpe:N:digits with N the vocabulary size, "
                        + "e.g. bpe:4096, found '" + number + "' for N");
            }
            if (size <= 256) {
                throw new IllegalArgumentException("tokenizer '" + spec + "': a byte-level BPE needs more than 256 tokens, got " + size);
            }
            SplitPattern pattern = digits ? SplitPattern.CL100K_DIGITS : SplitPattern.CL100K;
            return new BpeTrainer(size, pattern, List.of(SpecialTokens.END_OF_TEXT)).train(corpus);
        }
        throw new IllegalArgumentException("unknown tokenizer '" + spec + "': expected char, gpt2, bpe:N or bpe:N:digits (e.g. bpe:4096)");
    }

    /** Writes {@code tokenizer} to {@code file} (atomically). */
    public static void save(Tokenizer tokenizer, Path file) throws IOException {
        if (tokenizer instanceof CharTokenizer c) {
            c.save(file);
        } else if (tokenizer instanceof BpeTokenizer b) {
            b.saveHuggingFace(file);
        } else if (tokenizer instanceof SentencePieceTokenizer sp) {
            sp.save(file);
        } else {
            throw new IllegalArgumentException("cannot save a " + tokenizer.getClass().getName()
                    + ": only CharTokenizer, BpeTokenizer and SentencePieceTokenizer");
        }
    }

    /** The file {@link #save} writes, as a string. */
    public static String toJson(Tokenizer tokenizer) throws IOException {
        Path tmp = Files.createTempFile("llmforge-tokenizer", ".json");
        try {
            save(tokenizer, tmp);
            return Files.readString(tmp, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Reads a file written by {@link #save} (or any Hugging Face byte-level BPE {@code tokenizer.json}). */
    public static Tokenizer load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("tokenizer file " + file + " does not exist");
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new TokenizerFormatException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        if (root != null && "char".equals(root.path("type").asText())) {
            return CharTokenizer.load(file);
        }
        if (root != null && SentencePieceTokenizer.TYPE.equals(root.path("type").asText())) {
            return SentencePieceTokenizer.load(root, file);
        }
        if (root != null && root.has("model")) {
            return BpeTokenizer.fromHuggingFace(file);
        }
        throw new TokenizerFormatException(file + ": expected a char tokenizer ({\"type\": \"char\", ...}), a llama2c tokenizer "
                + "({\"type\": \"llama2c\", ...}) or a Hugging Face tokenizer.json (with \"model\"), found none of them");
    }

    /** A short description: {@code char tokenizer, 65 tokens}, {@code BPE tokenizer, 50,257 tokens}. */
    public static String describe(Tokenizer tokenizer) {
        String kind = tokenizer instanceof CharTokenizer ? "char" : tokenizer instanceof BpeTokenizer ? "BPE"
                : tokenizer instanceof SentencePieceTokenizer ? "llama2.c SentencePiece" : tokenizer.getClass().getSimpleName();
        return String.format(Locale.ROOT, "%s tokenizer, %,d tokens", kind, tokenizer.vocabSize());
    }
}
