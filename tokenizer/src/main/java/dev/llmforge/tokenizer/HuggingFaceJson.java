package dev.llmforge.tokenizer;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reader and writer of Hugging Face {@code tokenizer.json} files holding a byte-level BPE model. */
final class HuggingFaceJson {

    /**
     * Regexes of {@code Split} pre-tokenizers → the pattern whose pieces Hugging Face's engine (Oniguruma) cuts
     * with them. The first entry of each pattern is the one written.
     */
    private static final Map<String, SplitPattern> SPLIT_REGEXES = new LinkedHashMap<>();

    static {
        SPLIT_REGEXES.put("'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*"
                + "|\\s++\\z|\\s*[\\r\\n]|\\s+(?!\\S)|\\s", SplitPattern.CL100K);
        SPLIT_REGEXES.put("'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*"
                + "|\\s++\\z|\\s*[\\r\\n]|\\s+(?!\\S)|\\s", SplitPattern.CL100K_DIGITS);
        SPLIT_REGEXES.put(SplitPattern.CL100K_LEGACY.regex(), SplitPattern.CL100K_LEGACY);
        SPLIT_REGEXES.put(SplitPattern.GPT2.regex(), SplitPattern.GPT2);
        SPLIT_REGEXES.put("'(?:[sdmt]|ll|ve|re)| ?\\p{L}++| ?\\p{N}++| ?[^\\s\\p{L}\\p{N}]++|\\s++$|\\s+(?!\\S)|\\s",
                SplitPattern.GPT2);
    }

    private HuggingFaceJson() {
    }

    static BpeTokenizer read(Path file) throws IOException {
        JsonNode root;
        try (InputStream in = Files.newInputStream(file)) {
            root = TokenizerFiles.JSON.readTree(in);
        } catch (JsonProcessingException e) {
            throw new TokenizerFormatException(String.format("%s: not valid JSON: %s", file, e.getMessage()), e);
        }
        Fields fields = new Fields(file.toString());
        fields.require(root.isObject(), "(top level)", "a JSON object", root);
        fields.require(isAbsent(root.get("normalizer")), "normalizer", "null (no normalizer)", root.get("normalizer"));
        JsonNode postProcessor = root.get("post_processor");
        fields.require(isAbsent(postProcessor) || "ByteLevel".equals(postProcessor.path("type").asText()),
                "post_processor", "null or ByteLevel (no tokens added around the text)", postProcessor);
        JsonNode decoder = root.get("decoder");
        fields.require(decoder != null && "ByteLevel".equals(decoder.path("type").asText()), "decoder",
                "a ByteLevel decoder", decoder);
        SplitPattern pattern = splitPattern(root.get("pre_tokenizer"), fields);
        Map<String, Integer> specials = addedTokens(root.get("added_tokens"), fields);

        JsonNode model = root.get("model");
        fields.require(model != null && model.isObject(), "model", "an object", model);
        fields.require("BPE".equals(model.path("type").asText("BPE")), "model.type", "\"BPE\"", model.get("type"));
        fields.require(isAbsent(model.get("dropout")), "model.dropout", "null (deterministic merging)",
                model.get("dropout"));
        for (String affix : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
            JsonNode value = model.get(affix);
            fields.require(isAbsent(value) || value.asText().isEmpty(), "model." + affix, "null", value);
        }
        fields.require(!model.path("byte_fallback").asBoolean(false), "model.byte_fallback", "false",
                model.get("byte_fallback"));
        JsonNode ignoreMerges = model.path("ignore_merges");
        fields.require(ignoreMerges.isMissingNode() || ignoreMerges.isBoolean(), "model.ignore_merges", "a boolean",
                ignoreMerges);

        JsonNode vocabNode = model.get("vocab");
        fields.require(vocabNode != null && vocabNode.isObject(), "model.vocab", "an object of token → id", vocabNode);
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : vocabNode.properties()) {
            fields.require(isId(entry.getValue()), "model.vocab[\"" + entry.getKey() + "\"]",
                    "an integer id", entry.getValue());
            vocab.put(entry.getKey(), entry.getValue().intValue());
        }
        ByteLevelVocabulary vocabulary = new ByteLevelVocabulary(vocab, file.toString());
        byte[][] tokens = vocabulary.tokenBytes(specials.values());
        List<int[]> merges = merges(model.get("merges"), vocabulary, fields);
        try {
            return new BpeTokenizer(BpeModel.fromMerges(tokens, merges, ignoreMerges.asBoolean(false)), pattern,
                    SpecialTokens.of(specials));
        } catch (IllegalArgumentException e) {
            throw new TokenizerFormatException(file + ": " + e.getMessage(), e);
        }
    }

    private static SplitPattern splitPattern(JsonNode node, Fields fields) throws TokenizerFormatException {
        String expected = "ByteLevel (add_prefix_space false), or Sequence [Split (a supported regex, Isolated), "
                + "ByteLevel (add_prefix_space false, use_regex false)]";
        if (node != null && "ByteLevel".equals(node.path("type").asText())) {
            fields.require(!node.path("add_prefix_space").asBoolean(false) && node.path("use_regex").asBoolean(true),
                    "pre_tokenizer", expected, node);
            return SplitPattern.GPT2;
        }
        fields.require(node != null && "Sequence".equals(node.path("type").asText())
                && node.path("pretokenizers").size() == 2, "pre_tokenizer", expected, node);
        JsonNode split = node.path("pretokenizers").get(0);
        JsonNode byteLevel = node.path("pretokenizers").get(1);
        fields.require("Split".equals(split.path("type").asText()) && "Isolated".equals(split.path("behavior").asText())
                && !split.path("invert").asBoolean(false), "pre_tokenizer.pretokenizers[0]",
                "a Split with behavior Isolated", split);
        fields.require("ByteLevel".equals(byteLevel.path("type").asText())
                && !byteLevel.path("add_prefix_space").asBoolean(false) && !byteLevel.path("use_regex").asBoolean(true),
                "pre_tokenizer.pretokenizers[1]", "ByteLevel with add_prefix_space and use_regex false", byteLevel);
        String regex = split.path("pattern").path("Regex").asText(null);
        SplitPattern pattern = regex == null ? null : SPLIT_REGEXES.get(regex);
        fields.require(pattern != null, "pre_tokenizer.pretokenizers[0].pattern.Regex",
                "one of the regexes " + SPLIT_REGEXES.keySet(), split.path("pattern"));
        return pattern;
    }

    private static Map<String, Integer> addedTokens(JsonNode node, Fields fields) throws TokenizerFormatException {
        Map<String, Integer> specials = new LinkedHashMap<>();
        if (isAbsent(node)) {
            return specials;
        }
        fields.require(node.isArray(), "added_tokens", "an array", node);
        for (int i = 0; i < node.size(); i++) {
            JsonNode token = node.get(i);
            String where = "added_tokens[" + i + "]";
            fields.require(isId(token.path("id")) && token.path("content").isTextual(), where,
                    "an object with an integer id and a content string", token);
            fields.require(token.path("special").asBoolean(false), where + ".special",
                    "true (only special added tokens are supported)", token);
            fields.require(!token.path("single_word").asBoolean(false) && !token.path("lstrip").asBoolean(false)
                    && !token.path("rstrip").asBoolean(false), where,
                    "single_word, lstrip and rstrip false", token);
            Integer previous = specials.put(token.get("content").asText(), token.get("id").intValue());
            fields.require(previous == null, where + ".content", "a token not listed before", token.get("content"));
        }
        return specials;
    }

    private static List<int[]> merges(JsonNode node, ByteLevelVocabulary vocabulary, Fields fields)
            throws TokenizerFormatException {
        fields.require(node != null && node.isArray(), "model.merges", "an array", node);
        List<int[]> merges = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            JsonNode merge = node.get(i);
            String where = fields.source + ": model.merges[" + i + "]";
            if (merge.isTextual()) {
                String[] parts = merge.asText().split(" ", -1);
                fields.require(parts.length == 2 && !parts[0].isEmpty() && !parts[1].isEmpty(),
                        "model.merges[" + i + "]", "two tokens separated by one space", merge);
                merges.add(vocabulary.merge(parts[0], parts[1], where));
            } else {
                fields.require(merge.isArray() && merge.size() == 2 && merge.get(0).isTextual()
                        && merge.get(1).isTextual(), "model.merges[" + i + "]", "a pair of token strings", merge);
                merges.add(vocabulary.merge(merge.get(0).asText(), merge.get(1).asText(), where));
            }
        }
        return merges;
    }

    static void write(BpeTokenizer tokenizer, OutputStream out) throws IOException {
        BpeModel model = tokenizer.model();
        try (JsonGenerator json = TokenizerFiles.JSON.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
            json.useDefaultPrettyPrinter();
            json.writeStartObject();
            json.writeStringField("version", "1.0");
            json.writeNullField("truncation");
            json.writeNullField("padding");
            json.writeArrayFieldStart("added_tokens");
            Map<Integer, String> specialsById = new TreeMap<>();
            tokenizer.specialTokens().asMap().forEach((text, id) -> specialsById.put(id, text));
            for (Map.Entry<Integer, String> special : specialsById.entrySet()) {
                json.writeStartObject();
                json.writeNumberField("id", special.getKey());
                json.writeStringField("content", special.getValue());
                json.writeBooleanField("single_word", false);
                json.writeBooleanField("lstrip", false);
                json.writeBooleanField("rstrip", false);
                json.writeBooleanField("normalized", false);
                json.writeBooleanField("special", true);
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeNullField("normalizer");
            json.writeFieldName("pre_tokenizer");
            writePreTokenizer(tokenizer.splitPattern(), json);
            json.writeNullField("post_processor");
            json.writeObjectFieldStart("decoder");
            writeByteLevel(json, true);
            json.writeEndObject();
            json.writeObjectFieldStart("model");
            json.writeStringField("type", "BPE");
            json.writeNullField("dropout");
            json.writeNullField("unk_token");
            json.writeNullField("continuing_subword_prefix");
            json.writeNullField("end_of_word_suffix");
            json.writeBooleanField("fuse_unk", false);
            json.writeBooleanField("byte_fallback", false);
            json.writeBooleanField("ignore_merges", model.takesWholePieces());
            // Special tokens are listed in the vocabulary too: Hugging Face gives an added token the id it has
            // there, and otherwise the next free id, which would be wrong after a gap (cl100k: 100256).
            Map<Integer, String> vocab = new TreeMap<>(specialsById);
            for (int id = 0; id < model.size(); id++) {
                if (model.bytes(id) != null) {
                    vocab.put(id, ByteLevelAlphabet.toText(model.bytes(id)));
                }
            }
            json.writeObjectFieldStart("vocab");
            for (Map.Entry<Integer, String> token : vocab.entrySet()) {
                json.writeNumberField(token.getValue(), token.getKey());
            }
            json.writeEndObject();
            json.writeArrayFieldStart("merges");
            for (int[] merge : tokenizer.merges()) {
                json.writeString(ByteLevelAlphabet.toText(model.bytes(merge[0])) + " "
                        + ByteLevelAlphabet.toText(model.bytes(merge[1])));
            }
            json.writeEndArray();
            json.writeEndObject();
            json.writeEndObject();
        }
    }

    private static void writePreTokenizer(SplitPattern pattern, JsonGenerator json) throws IOException {
        json.writeStartObject();
        if (pattern == SplitPattern.GPT2) {
            writeByteLevel(json, true);
        } else {
            json.writeStringField("type", "Sequence");
            json.writeArrayFieldStart("pretokenizers");
            json.writeStartObject();
            json.writeStringField("type", "Split");
            json.writeObjectFieldStart("pattern");
            json.writeStringField("Regex", regexWrittenFor(pattern));
            json.writeEndObject();
            json.writeStringField("behavior", "Isolated");
            json.writeBooleanField("invert", false);
            json.writeEndObject();
            json.writeStartObject();
            writeByteLevel(json, false);
            json.writeEndObject();
            json.writeEndArray();
        }
        json.writeEndObject();
    }

    private static void writeByteLevel(JsonGenerator json, boolean useRegex) throws IOException {
        json.writeStringField("type", "ByteLevel");
        json.writeBooleanField("add_prefix_space", false);
        json.writeBooleanField("trim_offsets", true);
        json.writeBooleanField("use_regex", useRegex);
    }

    private static String regexWrittenFor(SplitPattern pattern) {
        return SPLIT_REGEXES.entrySet().stream().filter(e -> e.getValue() == pattern).findFirst()
                .orElseThrow().getKey();
    }

    /** An integral JSON number that fits an int (a fractional id such as 1.5 is refused, not truncated). */
    private static boolean isId(JsonNode node) {
        return node.isIntegralNumber() && node.canConvertToInt();
    }

    private static boolean isAbsent(JsonNode node) {
        return node == null || node.isNull();
    }

    /** Checks of fields, failing with the file, the field, what was expected and what was found. */
    private static final class Fields {
        final String source;

        Fields(String source) {
            this.source = source;
        }

        void require(boolean condition, String field, String expected, JsonNode found)
                throws TokenizerFormatException {
            if (!condition) {
                String shown = found == null ? "nothing" : found.toString();
                if (shown.length() > 200) {
                    shown = shown.substring(0, 200) + "...";
                }
                throw new TokenizerFormatException(String.format("%s: %s: expected %s, found %s",
                        source, field, expected, shown));
            }
        }
    }
}
