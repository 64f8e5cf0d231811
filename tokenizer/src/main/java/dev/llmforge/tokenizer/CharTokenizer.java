package dev.llmforge.tokenizer;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.llmforge.io.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Character-level tokenizer as in nanoGPT's shakespeare-char: one id per distinct code point of a corpus, in
 * code point order (Tiny Shakespeare gives 65), optionally followed by special tokens. A lone surrogate is a
 * character like any other, so every Java string built from the vocabulary round-trips exactly. Saved as a
 * small JSON file: {@code {"type":"char","characters":["\n"," ",...],"special_tokens":[...]}}.
 */
public final class CharTokenizer implements Tokenizer {
    private static final String TYPE = "char";

    private final int[] codePoints;
    private final Map<Integer, Integer> idsByCodePoint = new HashMap<>();
    private final SpecialTokens specialTokens;

    private CharTokenizer(int[] codePoints, List<String> specialTokens) {
        this.codePoints = codePoints;
        for (int id = 0; id < codePoints.length; id++) {
            if (idsByCodePoint.put(codePoints[id], id) != null) {
                throw new IllegalArgumentException(String.format("character U+%04X is listed twice", codePoints[id]));
            }
        }
        Map<String, Integer> specials = new LinkedHashMap<>();
        for (String special : specialTokens) {
            if (specials.put(special, codePoints.length + specials.size()) != null) {
                throw new IllegalArgumentException("special token \"" + special + "\" is listed twice");
            }
        }
        this.specialTokens = SpecialTokens.of(specials);
    }

    /** The sorted distinct code points of {@code corpus}. */
    public static CharTokenizer fromCorpus(String corpus) {
        return fromCorpus(corpus, List.of());
    }

    /** The sorted distinct code points of {@code corpus}, then {@code specialTokens} with the following ids. */
    public static CharTokenizer fromCorpus(String corpus, List<String> specialTokens) {
        return new CharTokenizer(corpus.codePoints().distinct().sorted().toArray(), specialTokens);
    }

    /**
     * This tokenizer with more special tokens, given the ids from {@link #vocabSize()} on in list order (e.g. the
     * {@code <|endoftext|>} a chat template closes answers with, for a vocabulary made without it).
     *
     * @throws IllegalArgumentException if one of them is already a special token
     */
    public CharTokenizer withAddedSpecialTokens(List<String> added) {
        List<String> specials = new ArrayList<>(specialTokens.asMap().keySet());
        for (String token : added) {
            if (specials.contains(token)) {
                throw new IllegalArgumentException("\"" + token + "\" is already a special token");
            }
            specials.add(token);
        }
        return new CharTokenizer(codePoints, specials);
    }

    /**
     * Reads a file written by {@link #save(Path)}.
     *
     * @throws TokenizerFormatException naming the field that is missing or malformed
     */
    public static CharTokenizer load(Path file) throws IOException {
        JsonNode root;
        try (InputStream in = Files.newInputStream(file)) {
            root = TokenizerFiles.JSON.readTree(in);
        } catch (JsonProcessingException e) {
            throw new TokenizerFormatException(String.format("%s: not valid JSON: %s", file, e.getMessage()), e);
        }
        if (!TYPE.equals(root.path("type").asText()) || !root.path("characters").isArray()) {
            throw new TokenizerFormatException(String.format(
                    "%s: expected {\"type\": \"char\", \"characters\": [...]}, found %s", file, abbreviate(root)));
        }
        JsonNode characters = root.get("characters");
        int[] codePoints = new int[characters.size()];
        for (int i = 0; i < codePoints.length; i++) {
            String character = characters.get(i).asText("");
            if (!characters.get(i).isTextual() || character.isEmpty()
                    || character.codePointCount(0, character.length()) != 1) {
                throw new TokenizerFormatException(String.format(
                        "%s: characters[%d]: expected a string of one character, found %s", file, i, characters.get(i)));
            }
            codePoints[i] = character.codePointAt(0);
        }
        List<String> specials = new ArrayList<>();
        for (JsonNode special : root.path("special_tokens")) {
            if (!special.isTextual() || special.asText().isEmpty()) {
                throw new TokenizerFormatException(String.format(
                        "%s: special_tokens: expected non-empty strings, found %s", file, special));
            }
            specials.add(special.asText());
        }
        try {
            return new CharTokenizer(codePoints, specials);
        } catch (IllegalArgumentException e) {
            throw new TokenizerFormatException(file + ": " + e.getMessage(), e);
        }
    }

    /** Writes the vocabulary as JSON to a temporary file that is then moved to {@code target}. */
    public void save(Path target) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator json = TokenizerFiles.JSON.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
            json.useDefaultPrettyPrinter();
            json.writeStartObject();
            json.writeStringField("type", TYPE);
            json.writeArrayFieldStart("characters");
            for (int codePoint : codePoints) {
                json.writeString(new String(Character.toChars(codePoint)));
            }
            json.writeEndArray();
            json.writeArrayFieldStart("special_tokens");
            for (String special : specialTokens.asMap().keySet()) {
                json.writeString(special);
            }
            json.writeEndArray();
            json.writeEndObject();
        }
        AtomicFiles.write(target, out.toByteArray());
    }

    /** The characters by id (special tokens excluded). */
    public List<String> characters() {
        List<String> characters = new ArrayList<>(codePoints.length);
        for (int codePoint : codePoints) {
            characters.add(new String(Character.toChars(codePoint)));
        }
        return characters;
    }

    @Override
    public int[] encode(String text, SpecialTokenPolicy policy) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(policy, "policy");
        IntList out = new IntList(text.length());
        specialTokens.encode(text, policy, out, this::encodeCharacters);
        return out.toArray();
    }

    private void encodeCharacters(String text, int from, int to, IntList out) {
        for (int i = from; i < to; ) {
            int codePoint = text.codePointAt(i);
            Integer id = idsByCodePoint.get(codePoint);
            if (id == null) {
                throw new IllegalArgumentException(String.format(
                        "character '%s' (U+%04X) at index %d is not in the vocabulary of %d characters",
                        new String(Character.toChars(codePoint)), codePoint, i, codePoints.length));
            }
            out.add(id);
            i += Character.charCount(codePoint);
        }
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder text = new StringBuilder(ids.length);
        for (int id : ids) {
            text.append(textOf(id));
        }
        return text.toString();
    }

    private String textOf(int id) {
        if (id >= 0 && id < codePoints.length) {
            return new String(Character.toChars(codePoints[id]));
        }
        String special = specialTokens.text(id);
        if (special == null) {
            throw new IllegalArgumentException(String.format("token id %d is out of range: expected 0 to %d",
                    id, vocabSize() - 1));
        }
        return special;
    }

    @Override
    public StreamingDecoder newDecoder() {
        return new StreamingDecoder() {
            @Override
            public String push(int id) {
                return textOf(id);
            }

            @Override
            public String finish() {
                return "";
            }
        };
    }

    @Override
    public int vocabSize() {
        return codePoints.length + specialTokens.asMap().size();
    }

    @Override
    public SpecialTokens specialTokens() {
        return specialTokens;
    }

    private static String abbreviate(JsonNode node) {
        String text = node.toString();
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }
}
