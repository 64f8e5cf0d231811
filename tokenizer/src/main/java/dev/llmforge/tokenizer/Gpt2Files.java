package dev.llmforge.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reader of OpenAI's GPT-2 release files: {@code encoder.json} (token → id) and {@code vocab.bpe} (merge rules). */
final class Gpt2Files {
    private static final JsonFactory JSON = new JsonFactory();

    private Gpt2Files() {
    }

    static BpeTokenizer read(Path encoderJson, Path vocabBpe) throws IOException {
        Map<String, Integer> vocab = readEncoder(encoderJson);
        Map<String, Integer> specials = vocab.containsKey(SpecialTokens.END_OF_TEXT)
                ? Map.of(SpecialTokens.END_OF_TEXT, vocab.get(SpecialTokens.END_OF_TEXT))
                : Map.of();
        ByteLevelVocabulary vocabulary = new ByteLevelVocabulary(vocab, encoderJson.toString());
        byte[][] tokens = vocabulary.tokenBytes(specials.values());
        List<int[]> merges = readMerges(vocabBpe, vocabulary);
        try {
            return new BpeTokenizer(BpeModel.fromMerges(tokens, merges, false), SplitPattern.GPT2,
                    SpecialTokens.of(specials));
        } catch (IllegalArgumentException e) {
            throw new TokenizerFormatException(encoderJson + " with " + vocabBpe + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Integer> readEncoder(Path file) throws IOException {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        try (JsonParser parser = JSON.createParser(Files.newInputStream(file))) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new TokenizerFormatException(String.format("%s: expected a JSON object of token → id, found %s",
                        file, parser.currentToken()));
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String token = parser.currentName();
                if (parser.nextToken() != JsonToken.VALUE_NUMBER_INT) {
                    throw new TokenizerFormatException(String.format(
                            "%s line %d: expected an integer id for token \"%s\", found %s", file,
                            parser.currentLocation().getLineNr(), token, parser.getText()));
                }
                if (vocab.put(token, parser.getIntValue()) != null) {
                    throw new TokenizerFormatException(String.format("%s line %d: token \"%s\" is listed twice", file,
                            parser.currentLocation().getLineNr(), token));
                }
            }
        } catch (JsonProcessingException e) {
            throw new TokenizerFormatException(String.format("%s: not valid JSON: %s", file, e.getMessage()), e);
        }
        return vocab;
    }

    private static List<int[]> readMerges(Path file, ByteLevelVocabulary vocabulary) throws IOException {
        List<int[]> merges = new ArrayList<>();
        List<String> lines = utf8Lines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int lineNumber = i + 1;
            if (line.isEmpty() || lineNumber == 1 && line.startsWith("#version")) {
                continue;
            }
            int space = line.indexOf(' ');
            if (space <= 0 || space == line.length() - 1 || line.indexOf(' ', space + 1) >= 0) {
                throw new TokenizerFormatException(String.format(
                        "%s line %d: expected two tokens separated by one space, found \"%s\"",
                        file, lineNumber, line));
            }
            merges.add(vocabulary.merge(line.substring(0, space), line.substring(space + 1),
                    file + " line " + lineNumber));
        }
        return merges;
    }

    /** The lines of a UTF-8 file (without their \n or \r\n), decoded one by one so that invalid UTF-8 is reported with its line. */
    private static List<String> utf8Lines(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder();
        List<String> lines = new ArrayList<>();
        for (int start = 0; start < bytes.length; ) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            int length = end - start - (end > start && bytes[end - 1] == '\r' ? 1 : 0);
            try {
                lines.add(utf8.decode(ByteBuffer.wrap(bytes, start, length)).toString());
            } catch (CharacterCodingException e) {
                throw new TokenizerFormatException(String.format("%s line %d: not valid UTF-8", file, lines.size() + 1), e);
            }
            start = end + 1;
        }
        return lines;
    }
}
