package dev.llmforge.tokenizer;

import java.util.Collection;
import java.util.Map;

/** A vocabulary of byte-level token strings (GPT-2 alphabet) → ids, as in {@code encoder.json} and {@code tokenizer.json}. */
final class ByteLevelVocabulary {
    private final Map<String, Integer> ids;
    private final String source;

    ByteLevelVocabulary(Map<String, Integer> ids, String source) {
        this.ids = ids;
        this.source = source;
    }

    /**
     * Bytes of each token by id, leaving out {@code excludedIds} (special tokens, kept apart).
     *
     * @throws TokenizerFormatException for a negative or repeated id, or a character outside the alphabet
     */
    byte[][] tokenBytes(Collection<Integer> excludedIds) throws TokenizerFormatException {
        int maxId = -1;
        for (Map.Entry<String, Integer> entry : ids.entrySet()) {
            int id = entry.getValue();
            if (id < 0 || id > TiktokenFile.MAX_RANK) {
                throw new TokenizerFormatException(String.format("%s: token \"%s\" has id %d, expected 0 to %d",
                        source, entry.getKey(), id, TiktokenFile.MAX_RANK));
            }
            maxId = Math.max(maxId, id);
        }
        byte[][] tokens = new byte[maxId + 1][];
        String[] names = new String[maxId + 1];
        for (Map.Entry<String, Integer> entry : ids.entrySet()) {
            int id = entry.getValue();
            if (names[id] != null) {
                throw new TokenizerFormatException(String.format("%s: tokens \"%s\" and \"%s\" both have id %d",
                        source, names[id], entry.getKey(), id));
            }
            names[id] = entry.getKey();
            if (!excludedIds.contains(id)) {
                try {
                    tokens[id] = ByteLevelAlphabet.toBytes(entry.getKey());
                } catch (IllegalArgumentException e) {
                    throw new TokenizerFormatException(source + ": " + e.getMessage(), e);
                }
            }
        }
        return tokens;
    }

    /**
     * The {left, right, merged} ids of merge rule "{@code left right}".
     *
     * @param location where the rule was read, for messages (e.g. "vocab.bpe line 7")
     */
    int[] merge(String left, String right, String location) throws TokenizerFormatException {
        return new int[] {id(left, location), id(right, location), id(left + right, location)};
    }

    private int id(String token, String location) throws TokenizerFormatException {
        Integer id = ids.get(token);
        if (id == null) {
            throw new TokenizerFormatException(String.format("%s: merge uses token \"%s\", which is not in the "
                    + "vocabulary of %s", location, token, source));
        }
        return id;
    }
}
