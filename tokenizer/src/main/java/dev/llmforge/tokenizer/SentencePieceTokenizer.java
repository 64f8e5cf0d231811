package dev.llmforge.tokenizer;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.llmforge.io.AtomicFiles;
import dev.llmforge.io.Llama2cTokenizer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The SentencePiece BPE vocabulary of a llama2.c model ({@code tokenizer.bin}, {@code tok512.bin}) as a
 * {@link Tokenizer}: ids 0-2 are {@code <unk>}, {@code <s>} (BOS) and {@code </s>} (EOS), ids 3-258 the bytes
 * {@code <0x00>}-{@code <0xFF>}, then the merged pieces. Encoding is run.c's ({@link Llama2cTokenizer#encodeText}):
 * a token per code point (its bytes where it has none), then, while some neighbouring pair is a piece, the pair whose
 * piece has the highest score merges. The text is encoded as given — no BOS and no dummy-prefix space, which run.c
 * adds once in front of a prompt ({@link #encodeLikeRunC}) — so that the encodings of a chat template's parts
 * concatenate to the encoding of its text, and {@code decode(encode(text))} is {@code text}. Decoding concatenates
 * the pieces' bytes ({@code <0xXX>} tokens are their byte) as UTF-8; special tokens decode to their text.
 * Special tokens added for a chat template ({@link #withAddedSpecialTokens}) take the ids after the pieces.
 *
 * <p>Saved as {@code tokenizer.json} with {@code "type": "llama2c"}: the pieces as UTF-8 strings with their scores,
 * and the added special tokens.
 */
public final class SentencePieceTokenizer implements Tokenizer {
    static final String TYPE = "llama2c";
    private static final Map<String, Integer> BUILT_IN = builtIn();

    private final Llama2cTokenizer pieces;
    private final SpecialTokens specialTokens;
    private final List<String> added;

    private SentencePieceTokenizer(Llama2cTokenizer pieces, List<String> added) {
        this.pieces = pieces;
        this.added = List.copyOf(added);
        Map<String, Integer> specials = new LinkedHashMap<>(BUILT_IN);
        for (String token : added) {
            if (specials.putIfAbsent(token, pieces.vocabSize() + specials.size() - BUILT_IN.size()) != null) {
                throw new IllegalArgumentException("\"" + token + "\" is already a special token");
            }
        }
        this.specialTokens = SpecialTokens.of(specials);
    }

    private static Map<String, Integer> builtIn() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("<unk>", 0);
        m.put("<s>", Llama2cTokenizer.BOS);
        m.put("</s>", Llama2cTokenizer.EOS);
        return m;
    }

    /** The vocabulary of a llama2.c tokenizer file, read for a model of {@code vocabSize} tokens (as run.c reads it). */
    public static SentencePieceTokenizer fromLlama2c(Path file, int vocabSize) throws IOException {
        return new SentencePieceTokenizer(Llama2cTokenizer.load(file, vocabSize), List.of());
    }

    /** This vocabulary with {@code tokens} added as special tokens, with the next ids. */
    public SentencePieceTokenizer withAddedSpecialTokens(List<String> tokens) {
        List<String> all = new ArrayList<>(added);
        all.addAll(tokens);
        return new SentencePieceTokenizer(pieces, all);
    }

    /** run.c's encoding of a prompt: BOS, the dummy-prefix space, the text (special tokens are plain text). */
    public int[] encodeLikeRunC(String text) {
        return pieces.encode(text, true, false);
    }

    @Override
    public int[] encode(String text, SpecialTokenPolicy policy) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(policy, "policy");
        IntList out = new IntList(text.length());
        specialTokens.encode(text, policy, out, (t, from, to, ids) -> {
            for (int id : pieces.encodeText(t.substring(from, to))) {
                ids.add(id);
            }
        });
        return out.toArray();
    }

    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) {
            bytes.writeBytes(bytesOf(id));
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** The bytes token {@code id} stands for. */
    private byte[] bytesOf(int id) {
        String special = specialTokens.text(id);
        if (special != null) {
            return special.getBytes(StandardCharsets.UTF_8);
        }
        if (id < 0 || id >= pieces.vocabSize()) {
            throw new IllegalArgumentException(String.format("token id %d is out of range: expected 0 to %d", id, vocabSize() - 1));
        }
        int b = pieces.byteOf(id);
        return b >= 0 ? new byte[] {(byte) b} : pieces.pieceBytes(id);
    }

    @Override
    public StreamingDecoder newDecoder() {
        return new Utf8StreamingDecoder(this::bytesOf);
    }

    @Override
    public int vocabSize() {
        return pieces.vocabSize() + added.size();
    }

    @Override
    public SpecialTokens specialTokens() {
        return specialTokens;
    }

    /**
     * Writes the vocabulary as JSON to a temporary file that is then moved to {@code target}.
     *
     * @throws IOException if a piece is not valid UTF-8 (SentencePiece pieces are whole characters; llama2.c writes
     *                     bytes as {@code <0xXX>})
     */
    public void save(Path target) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator json = TokenizerFiles.JSON.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
            json.writeStartObject();
            json.writeStringField("type", TYPE);
            json.writeArrayFieldStart("pieces");
            for (int id = 0; id < pieces.vocabSize(); id++) {
                json.writeStartArray();
                json.writeString(utf8(pieces.pieceBytes(id), id));
                json.writeNumber((double) pieces.score(id)); // the float widened: read back exactly
                json.writeEndArray();
            }
            json.writeEndArray();
            json.writeArrayFieldStart("special_tokens");
            for (String token : added) {
                json.writeString(token);
            }
            json.writeEndArray();
            json.writeEndObject();
        }
        AtomicFiles.write(target, out.toByteArray());
    }

    private static String utf8(byte[] piece, int id) throws IOException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(piece)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("piece " + id + " is not valid UTF-8, which a tokenizer.json cannot hold", e);
        }
    }

    /**
     * Reads a file written by {@link #save}.
     *
     * @throws TokenizerFormatException naming the field that is missing or malformed
     */
    static SentencePieceTokenizer load(JsonNode root, Path file) throws TokenizerFormatException {
        JsonNode list = root.path("pieces");
        if (!list.isArray()) {
            throw new TokenizerFormatException(file + ": expected \"pieces\": [[\"piece\", score], ...] in a llama2c tokenizer");
        }
        byte[][] bytes = new byte[list.size()][];
        float[] scores = new float[list.size()];
        for (int i = 0; i < bytes.length; i++) {
            JsonNode entry = list.get(i);
            if (!entry.isArray() || entry.size() != 2 || !entry.get(0).isTextual() || !entry.get(1).isNumber()) {
                throw new TokenizerFormatException(file + ": pieces[" + i + "]: expected [\"piece\", score], found " + entry);
            }
            bytes[i] = entry.get(0).asText().getBytes(StandardCharsets.UTF_8);
            scores[i] = (float) entry.get(1).asDouble();
        }
        List<String> specials = new ArrayList<>();
        for (JsonNode special : root.path("special_tokens")) {
            if (!special.isTextual() || special.asText().isEmpty()) {
                throw new TokenizerFormatException(file + ": special_tokens: expected non-empty strings, found " + special);
            }
            specials.add(special.asText());
        }
        try {
            return new SentencePieceTokenizer(Llama2cTokenizer.of(bytes, scores), specials);
        } catch (IllegalArgumentException e) {
            throw new TokenizerFormatException(file + ": " + e.getMessage(), e);
        }
    }
}
