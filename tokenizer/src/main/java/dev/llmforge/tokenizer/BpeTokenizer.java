package dev.llmforge.tokenizer;

import dev.llmforge.io.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Byte-level BPE tokenizer (GPT-2 / tiktoken style): text is cut into pieces by a {@link SplitPattern}, each
 * piece is UTF-8 encoded and its bytes merged by rank. Encodings equal tiktoken's for its rank files and
 * Hugging Face's for its {@code tokenizer.json} files.
 *
 * <p>Java strings can hold lone surrogates, which UTF-8 cannot: they are encoded as U+FFFD (as tiktoken does),
 * so {@code decode(encode(s))} equals {@code s} for every well-formed string, and equals {@code s} with each
 * lone surrogate replaced by U+FFFD otherwise. Decoding ids whose bytes are not valid UTF-8 yields U+FFFD for
 * each malformed sequence; {@link #decodeBytes(int[])} gives the raw bytes.
 *
 * <p>Immutable and thread-safe; each thread keeps its own cache of recently encoded pieces.
 */
public final class BpeTokenizer implements Tokenizer {
    private static final String GPT2_RESOURCE = "r50k_base.tiktoken";

    private final BpeModel model;
    private final SplitPattern pattern;
    private final SpecialTokens specialTokens;
    private final int vocabSize;
    private final ThreadLocal<EncodeScratch> scratches = ThreadLocal.withInitial(EncodeScratch::new);

    BpeTokenizer(BpeModel model, SplitPattern pattern, SpecialTokens specialTokens) {
        this.model = model;
        this.pattern = pattern;
        this.specialTokens = specialTokens;
        this.vocabSize = Math.max(model.size(), specialTokens.maxId() + 1);
        specialTokens.asMap().forEach((text, id) -> {
            if (id < 0 || (id < model.size() && model.bytes(id) != null)) {
                throw new IllegalArgumentException(String.format(
                        "special token \"%s\" has id %d, which is negative or already an ordinary token", text, id));
            }
        });
    }

    /**
     * GPT-2's tokenizer (tiktoken {@code r50k_base}: 50,257 ids, {@code <|endoftext|>} = 50256), from the rank
     * file shipped in this module. Loaded once and shared.
     */
    public static BpeTokenizer gpt2() {
        return Gpt2Holder.INSTANCE;
    }

    /**
     * Loads a tiktoken rank file (lines of {@code <base64 token> <rank>}); the rank is the id.
     *
     * @param specialTokens special token text → id (tiktoken files do not hold them)
     */
    public static BpeTokenizer fromTiktoken(Path ranksFile, SplitPattern pattern, Map<String, Integer> specialTokens)
            throws IOException {
        try (InputStream in = Files.newInputStream(ranksFile)) {
            return fromTiktoken(in, ranksFile.toString(), pattern, specialTokens);
        }
    }

    /** Loads {@code cl100k_base} (GPT-3.5/GPT-4) from its tiktoken rank file, with its five special tokens. */
    public static BpeTokenizer cl100kBase(Path ranksFile) throws IOException {
        Map<String, Integer> specials = new LinkedHashMap<>();
        specials.put(SpecialTokens.END_OF_TEXT, 100257);
        specials.put("<|fim_prefix|>", 100258);
        specials.put("<|fim_middle|>", 100259);
        specials.put("<|fim_suffix|>", 100260);
        specials.put("<|endofprompt|>", 100276);
        return fromTiktoken(ranksFile, SplitPattern.CL100K, specials);
    }

    /**
     * Loads OpenAI's GPT-2 release files {@code encoder.json} and {@code vocab.bpe}; {@code <|endoftext|>}, if
     * in the vocabulary, is the special token.
     */
    public static BpeTokenizer fromGpt2Files(Path encoderJson, Path vocabBpe) throws IOException {
        return Gpt2Files.read(encoderJson, vocabBpe);
    }

    /**
     * Loads a Hugging Face {@code tokenizer.json} with a byte-level BPE model: pre-tokenizer {@code ByteLevel}
     * (GPT-2 regex) or {@code Split} with a {@link SplitPattern} regex followed by {@code ByteLevel}, decoder
     * {@code ByteLevel}, no normalizer; added tokens must be special.
     *
     * @throws TokenizerFormatException naming the field that is missing or not supported
     */
    public static BpeTokenizer fromHuggingFace(Path tokenizerJson) throws IOException {
        return HuggingFaceJson.read(tokenizerJson);
    }

    /**
     * Writes this tokenizer as a Hugging Face {@code tokenizer.json} (readable by {@code tokenizers} in Python,
     * Rust or through DJL), to a temporary file that is then moved to {@code target}.
     */
    public void saveHuggingFace(Path target) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HuggingFaceJson.write(this, out);
        AtomicFiles.write(target, out.toByteArray());
    }

    static BpeTokenizer fromTiktoken(InputStream in, String source, SplitPattern pattern,
            Map<String, Integer> specialTokens) throws IOException {
        byte[][] tokens = TiktokenFile.read(in, source);
        try {
            return new BpeTokenizer(BpeModel.fromRanks(tokens), pattern, SpecialTokens.of(specialTokens));
        } catch (IllegalArgumentException e) {
            throw new TokenizerFormatException(source + ": " + e.getMessage(), e);
        }
    }

    /**
     * This tokenizer with more special tokens, given the ids from {@link #vocabSize()} on in list order (e.g.
     * {@code <|im_start|>} and {@code <|im_end|>} for {@link dev.llmforge.tokenizer.chat.ChatTemplate#chatMl()}).
     *
     * @throws IllegalArgumentException if one of them is already a special token
     */
    public BpeTokenizer withAddedSpecialTokens(List<String> added) {
        Map<String, Integer> specials = new LinkedHashMap<>(specialTokens.asMap());
        int nextId = vocabSize;
        for (String token : added) {
            if (specials.putIfAbsent(token, nextId++) != null) {
                throw new IllegalArgumentException("\"" + token + "\" is already a special token");
            }
        }
        return new BpeTokenizer(model, pattern, SpecialTokens.of(specials));
    }

    @Override
    public int[] encode(String text, SpecialTokenPolicy policy) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(policy, "policy");
        IntList out = new IntList(text.length() / 4 + 16);
        EncodeScratch scratch = scratches.get();
        specialTokens.encode(text, policy, out, (t, from, to, o) -> encodeOrdinary(t, from, to, o, scratch));
        scratch.shrink();
        return out.toArray();
    }

    private void encodeOrdinary(String text, int from, int to, IntList out, EncodeScratch scratch) {
        ChunkCache cache = scratch.cache;
        int start = from;
        while (start < to) {
            int end = pattern.nextEnd(text, start, to);
            char first = text.charAt(start);
            if (end - start == 1 && first < 0x80) {
                out.add(model.idOfByte(first));
            } else if (end - start <= ChunkCache.MAX_PIECE_CHARS) {
                int hash = ChunkCache.hash(text, start, end);
                int[] ids = cache.get(text, start, end, hash);
                if (ids == null) {
                    int before = out.size();
                    encodePiece(text, start, end, out, scratch);
                    cache.put(text, start, end, hash, out.copyFrom(before));
                } else {
                    out.addAll(ids, ids.length);
                }
            } else {
                encodePiece(text, start, end, out, scratch);
            }
            start = end;
        }
    }

    private void encodePiece(String text, int start, int end, IntList out, EncodeScratch scratch) {
        byte[] utf8 = scratch.utf8(Utf8.maxBytes(end - start));
        int length = Utf8.encode(text, start, end, utf8);
        model.encodePiece(utf8, length, out, scratch);
    }

    @Override
    public String decode(int[] ids) {
        return new String(decodeBytes(ids), StandardCharsets.UTF_8);
    }

    /**
     * The concatenated bytes of the tokens (special tokens as their UTF-8 text).
     *
     * @throws IllegalArgumentException naming the first id that is not in the vocabulary
     */
    public byte[] decodeBytes(int[] ids) {
        int length = 0;
        for (int id : ids) {
            length += tokenBytesShared(id).length;
        }
        byte[] bytes = new byte[length];
        int at = 0;
        for (int id : ids) {
            byte[] token = tokenBytesShared(id);
            System.arraycopy(token, 0, bytes, at, token.length);
            at += token.length;
        }
        return bytes;
    }

    /** Bytes of token {@code id} (a copy). */
    public byte[] tokenBytes(int id) {
        return tokenBytesShared(id).clone();
    }

    private byte[] tokenBytesShared(int id) {
        byte[] bytes = id >= 0 && id < model.size() ? model.bytes(id) : null;
        if (bytes != null) {
            return bytes;
        }
        String special = specialTokens.text(id);
        if (special != null) {
            return special.getBytes(StandardCharsets.UTF_8);
        }
        throw new IllegalArgumentException(id < 0 || id >= vocabSize
                ? String.format("token id %d is out of range: expected 0 to %d", id, vocabSize - 1)
                : String.format("token id %d is not assigned in this vocabulary", id));
    }

    @Override
    public StreamingDecoder newDecoder() {
        return new Utf8StreamingDecoder(this::tokenBytesShared);
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public SpecialTokens specialTokens() {
        return specialTokens;
    }

    /** How text is cut into pieces before merging. */
    public SplitPattern splitPattern() {
        return pattern;
    }

    BpeModel model() {
        return model;
    }

    /** Merge rules as {left, right, merged} ids in priority order. */
    List<int[]> merges() {
        return model.mergesInRankOrder();
    }

    private static final class Gpt2Holder {
        static final BpeTokenizer INSTANCE = load();

        private static BpeTokenizer load() {
            try (InputStream in = BpeTokenizer.class.getResourceAsStream(GPT2_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("resource " + GPT2_RESOURCE + " is missing from the classpath");
                }
                return fromTiktoken(in, GPT2_RESOURCE, SplitPattern.GPT2, Map.of(SpecialTokens.END_OF_TEXT, 50256));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load the GPT-2 vocabulary shipped with llmforge-tokenizer", e);
            }
        }
    }
}
