package dev.llmforge.io;

import dev.llmforge.generate.TokenDecoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * llama2.c's tokenizer file ({@code tok512.bin}, {@code tokenizer.bin}): int32 max_token_length,
 * then per token a float32 merge score, an int32 byte length and the bytes. Encoding and decoding
 * follow run.c: a leading space ("dummy prefix"), greedy merges by best score, byte fallback
 * ({@code <0xXX>} tokens at id byte+3); decoding drops the space after BOS and skips BOS/EOS.
 * {@link #encodeText} is the same algorithm on a text as given (no BOS, no dummy prefix), for a
 * tokenizer whose encodings of consecutive pieces must concatenate to the encoding's text.
 */
public final class Llama2cTokenizer implements TokenDecoder {
    public static final int BOS = 1;
    public static final int EOS = 2;

    private final byte[][] pieces;
    private final float[] scores;
    private final Map<String, Integer> ids = new HashMap<>();

    private Llama2cTokenizer(byte[][] pieces, float[] scores) {
        this.pieces = pieces;
        this.scores = scores;
        for (int i = 0; i < pieces.length; i++) {
            ids.putIfAbsent(key(pieces[i]), i);
        }
    }

    /** A tokenizer of these pieces (the bytes of each token) and merge scores, by id. */
    public static Llama2cTokenizer of(byte[][] pieces, float[] scores) {
        if (pieces.length != scores.length || pieces.length < 3 + 256) {
            throw new IllegalArgumentException("a llama2.c vocabulary needs one score per piece and at least <unk>, <s>, </s> and the 256 "
                    + "byte tokens: " + pieces.length + " pieces, " + scores.length + " scores");
        }
        byte[][] copy = new byte[pieces.length][];
        for (int i = 0; i < pieces.length; i++) {
            copy[i] = pieces[i].clone();
        }
        return new Llama2cTokenizer(copy, scores.clone());
    }

    public static Llama2cTokenizer load(Path file, int vocabSize) throws IOException {
        return read(ByteBuffer.wrap(Files.readAllBytes(file)), vocabSize, file.toString());
    }

    /** Reads exactly {@code vocabSize} entries (the model's vocabulary size, as run.c does). */
    public static Llama2cTokenizer read(ByteBuffer bytes, int vocabSize, String source) throws CheckpointFormatException {
        ByteBuffer b = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (vocabSize <= 0) {
            throw new IllegalArgumentException("vocabSize must be positive, got " + vocabSize);
        }
        if (b.remaining() < 4) {
            throw new CheckpointFormatException(source + ": too short for a llama2.c tokenizer (no max_token_length)");
        }
        int maxLength = b.getInt();
        if (maxLength <= 0) {
            throw new CheckpointFormatException(source + ": max_token_length is " + maxLength + ", expected a positive number");
        }
        byte[][] pieces = new byte[vocabSize][];
        float[] scores = new float[vocabSize];
        for (int i = 0; i < vocabSize; i++) {
            if (b.remaining() < 8) {
                throw new CheckpointFormatException(source + ": ends after " + i + " tokens, expected " + vocabSize);
            }
            scores[i] = b.getFloat();
            int len = b.getInt();
            if (len < 0 || len > maxLength || len > b.remaining()) {
                throw new CheckpointFormatException(source + ": token " + i + " claims " + len + " bytes (max_token_length " + maxLength
                        + ", " + b.remaining() + " bytes left)");
            }
            pieces[i] = new byte[len];
            b.get(pieces[i]);
        }
        if (b.hasRemaining()) {
            throw new CheckpointFormatException(source + ": " + b.remaining() + " bytes follow the " + vocabSize
                    + " tokens; is the vocabulary size right?");
        }
        return new Llama2cTokenizer(pieces, scores);
    }

    public int vocabSize() {
        return pieces.length;
    }

    /** The bytes of a token as text (UTF-8, possibly a partial character). */
    public String piece(int id) {
        return new String(pieces[id], StandardCharsets.UTF_8);
    }

    /** run.c's encode: optional BOS, a dummy-prefix space if the text is non-empty, merges, optional EOS. */
    public int[] encode(String text, boolean bos, boolean eos) {
        List<Integer> tokens = new ArrayList<>();
        if (bos) {
            tokens.add(BOS);
        }
        if (!text.isEmpty()) {
            tokens.add(lookup(" ".getBytes(StandardCharsets.UTF_8)));
        }
        addCodePoints(text, tokens);
        merge(tokens);
        if (eos) {
            tokens.add(EOS);
        }
        return tokens.stream().mapToInt(Integer::intValue).toArray();
    }

    /** run.c's encoding of {@code text} as given: its code points (bytes where a code point has no token), then the merges. */
    public int[] encodeText(String text) {
        List<Integer> tokens = new ArrayList<>();
        addCodePoints(text, tokens);
        merge(tokens);
        return tokens.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A token per UTF-8 code point of {@code text}, or one per byte ({@code <0xXX>}, id byte + 3) for a code point without one. */
    private void addCodePoints(String text, List<Integer> tokens) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < utf8.length; ) {
            int n = Math.min(utf8Length(utf8[i]), utf8.length - i);
            byte[] cp = Arrays.copyOfRange(utf8, i, i + n);
            Integer id = ids.get(key(cp));
            if (id != null) {
                tokens.add(id);
            } else {
                for (byte x : cp) {
                    tokens.add((x & 0xff) + 3); // byte fallback: <0x00> is token 3
                }
            }
            i += n;
        }
    }

    /** Merges, while some pair of neighbours is a token, the pair whose token scores highest (the leftmost of equals). */
    private void merge(List<Integer> tokens) {
        while (true) {
            float best = -1e10f; // run.c's starting score
            int bestId = -1;
            int bestAt = -1;
            for (int i = 0; i < tokens.size() - 1; i++) {
                Integer id = ids.get(key(pieces[tokens.get(i)]) + key(pieces[tokens.get(i + 1)]));
                if (id != null && scores[id] > best) {
                    best = scores[id];
                    bestId = id;
                    bestAt = i;
                }
            }
            if (bestAt < 0) {
                return;
            }
            tokens.set(bestAt, bestId);
            tokens.remove(bestAt + 1);
        }
    }

    /** The bytes of token {@code id} (a copy). */
    public byte[] pieceBytes(int id) {
        return pieces[id].clone();
    }

    /** The merge score of token {@code id}. */
    public float score(int id) {
        return scores[id];
    }

    /** The byte of a {@code <0xXX>} token, or -1 for any other token. */
    public int byteOf(int id) {
        return rawByte(pieces[id]);
    }

    /**
     * Text of a token sequence as run.c prints it: BOS and EOS are skipped, a piece's leading space
     * is dropped right after BOS, {@code <0xXX>} pieces are raw bytes, and single non-printable
     * bytes are left out.
     */
    @Override
    public String decode(int[] tokens) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < tokens.length; i++) {
            int t = tokens[i];
            if (t < 0 || t >= pieces.length) {
                throw new IllegalArgumentException("token " + t + " is outside the vocabulary [0, " + pieces.length + ")");
            }
            if (t == BOS || t == EOS) {
                continue;
            }
            byte[] p = pieces[t];
            int from = i > 0 && tokens[i - 1] == BOS && p.length > 0 && p[0] == ' ' ? 1 : 0;
            int raw = rawByte(p);
            if (raw >= 0) {
                if (isPrintableOrSpace(raw)) {
                    out.write(raw);
                }
            } else if (p.length - from == 1 && !isPrintableOrSpace(p[from] & 0xff)) {
                continue;
            } else {
                out.write(p, from, p.length - from);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The byte of a {@code <0xXX>} piece, or -1. */
    private static int rawByte(byte[] p) {
        if (p.length != 6 || p[0] != '<' || p[1] != '0' || p[2] != 'x' || p[5] != '>') {
            return -1;
        }
        int hi = Character.digit(p[3], 16);
        int lo = Character.digit(p[4], 16);
        return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }

    /** run.c's safe_printf test, with bytes >= 0x80 (parts of UTF-8 characters) allowed. */
    private static boolean isPrintableOrSpace(int b) {
        return b >= 0x80 || (b >= 0x20 && b < 0x7f) || b == ' ' || (b >= 0x09 && b <= 0x0d);
    }

    private int lookup(byte[] piece) {
        Integer id = ids.get(key(piece));
        if (id == null) {
            throw new IllegalStateException("the tokenizer has no token for '" + new String(piece, StandardCharsets.UTF_8) + "'");
        }
        return id;
    }

    private static int utf8Length(byte lead) {
        int b = lead & 0xff;
        if (b < 0x80) {
            return 1;
        }
        if ((b & 0xe0) == 0xc0) {
            return 2;
        }
        if ((b & 0xf0) == 0xe0) {
            return 3;
        }
        if ((b & 0xf8) == 0xf0) {
            return 4;
        }
        return 1;
    }

    /** Bytes as a string of chars 0-255, so byte sequences compare exactly. */
    private static String key(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
