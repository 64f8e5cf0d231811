package dev.llmforge.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedReader;
import java.io.IOException;
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
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int lineNumber = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lineNumber++;
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
        }
        return merges;
    }
}
