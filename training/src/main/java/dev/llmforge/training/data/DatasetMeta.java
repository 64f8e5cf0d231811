package dev.llmforge.training.data;

import dev.llmforge.io.AtomicFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * llmforge's {@code meta.json} next to {@code train.bin}/{@code val.bin}: how the ids are stored and
 * where they came from. (nanoGPT's {@code meta.pkl} is written too for character-level data.)
 *
 * @param width         bytes per id on disk
 * @param vocabSize     the tokenizer's vocabulary size
 * @param tokenizer     a description of the tokenizer ({@code tokenizer.json} holds the tokenizer itself)
 * @param trainTokens   ids in {@code train.bin}
 * @param valTokens     ids in {@code val.bin}
 * @param trainFraction share of the text (in characters) before the split point
 * @param source        the text file the ids were made from
 */
public record DatasetMeta(TokenWidth width, int vocabSize, String tokenizer, long trainTokens, long valTokens, double trainFraction,
                          String source) {
    public static final String FILE_NAME = "meta.json";
    static final String FORMAT = "llmforge-tokens";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Writes {@code meta.json} into {@code dir} atomically. */
    public void write(Path dir) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("format", FORMAT);
        n.put("token_width", width.name().toLowerCase(Locale.ROOT));
        n.put("vocab_size", vocabSize);
        n.put("tokenizer", tokenizer);
        n.put("train_tokens", trainTokens);
        n.put("val_tokens", valTokens);
        n.put("train_fraction", trainFraction);
        n.put("source", source);
        Path file = dir.resolve(FILE_NAME);
        AtomicFiles.write(file, JSON.writeValueAsBytes(n));
    }

    /** Reads {@code meta.json} from {@code dir}. */
    public static DatasetMeta read(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        JsonNode n;
        try {
            n = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        if (n == null || !FORMAT.equals(n.path("format").asText())) {
            throw new IOException(file + ": expected \"format\": \"" + FORMAT + "\", found " + (n == null ? "an empty file" : n.path("format")));
        }
        TokenWidth width;
        try {
            width = TokenWidth.valueOf(n.path("token_width").asText().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": token_width must be uint16 or uint32, found " + n.path("token_width"));
        }
        for (String key : new String[] {"vocab_size", "train_tokens", "val_tokens"}) {
            if (!n.path(key).isIntegralNumber() || !n.path(key).canConvertToLong() || n.path(key).asLong() < 0) {
                throw new IOException(file + ": expected a non-negative integer '" + key + "', found " + n.path(key));
            }
        }
        if (!n.get("vocab_size").canConvertToInt()) {
            throw new IOException(file + ": vocab_size " + n.get("vocab_size") + " is larger than any vocabulary (at most " + Integer.MAX_VALUE + ")");
        }
        return new DatasetMeta(width, n.get("vocab_size").asInt(), n.path("tokenizer").asText(), n.get("train_tokens").asLong(),
                n.get("val_tokens").asLong(), n.path("train_fraction").asDouble(Double.NaN), n.path("source").asText());
    }
}
