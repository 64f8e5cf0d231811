package dev.llmforge.tokenizer;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The special (control) tokens of a tokenizer: their text and id. Matching in text is leftmost, and at one
 * position the longest token wins. Immutable.
 */
public final class SpecialTokens {
    /** GPT-2's document separator. */
    public static final String END_OF_TEXT = "<|endoftext|>";

    private static final SpecialTokens NONE = new SpecialTokens(Map.of());

    private final Map<String, Integer> ids;
    private final Map<Integer, String> texts = new LinkedHashMap<>();

    private SpecialTokens(Map<String, Integer> ids) {
        this.ids = Collections.unmodifiableMap(new LinkedHashMap<>(ids));
        ids.forEach((text, id) -> {
            if (text.isEmpty()) {
                throw new IllegalArgumentException("a special token cannot be the empty string");
            }
            if (id < 0 || id > TiktokenFile.MAX_RANK) {
                throw new IllegalArgumentException(String.format("special token \"%s\" has id %d, expected 0 to %d", text, id,
                        TiktokenFile.MAX_RANK));
            }
            String previous = texts.put(id, text);
            if (previous != null) {
                throw new IllegalArgumentException(String.format(
                        "special tokens \"%s\" and \"%s\" both have id %d", previous, text, id));
            }
        });
    }

    /** Special tokens with the given text → id map (iteration order is kept). */
    public static SpecialTokens of(Map<String, Integer> idsByText) {
        return idsByText.isEmpty() ? NONE : new SpecialTokens(idsByText);
    }

    /** Text → id, in the order given at construction. */
    public Map<String, Integer> asMap() {
        return ids;
    }

    /** Whether {@code text} is a special token. */
    public boolean contains(String text) {
        return ids.containsKey(text);
    }

    /** Id of the special token {@code text}, if it is one. */
    public OptionalInt id(String text) {
        Integer id = ids.get(text);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /**
     * Id of the special token {@code text}.
     *
     * @throws IllegalArgumentException listing the special tokens there are, if {@code text} is not one
     */
    public int requireId(String text) {
        Integer id = ids.get(text);
        if (id == null) {
            throw new IllegalArgumentException(String.format("\"%s\" is not a special token of this tokenizer; "
                    + "its special tokens are %s", text, ids.keySet()));
        }
        return id;
    }

    /** Whether {@code id} is a special token's id. */
    public boolean isSpecial(int id) {
        return texts.containsKey(id);
    }

    /** Text of special token {@code id}, or null. */
    String text(int id) {
        return texts.get(id);
    }

    /** Largest id, or -1 if there are none. */
    int maxId() {
        return texts.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1);
    }

    /**
     * Start of the leftmost special token in {@code text} at or after {@code from}, or -1; its text is then
     * {@link #longestAt(String, int)}.
     */
    int indexOf(String text, int from) {
        int best = -1;
        for (String token : ids.keySet()) {
            int at = text.indexOf(token, from);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
            }
        }
        return best;
    }

    /** The longest special token that starts at {@code at} in {@code text}, or null. */
    String longestAt(String text, int at) {
        String best = null;
        for (String token : ids.keySet()) {
            if (text.startsWith(token, at) && (best == null || token.length() > best.length())) {
                best = token;
            }
        }
        return best;
    }

    /**
     * Encodes {@code text} by the policy: {@code ordinary} encodes the stretches between special tokens (all of
     * the text under {@link SpecialTokenPolicy#PLAIN_TEXT}).
     */
    void encode(String text, SpecialTokenPolicy policy, IntList out, OrdinaryEncoder ordinary) {
        if (policy == SpecialTokenPolicy.PLAIN_TEXT || ids.isEmpty()) {
            ordinary.encode(text, 0, text.length(), out);
            return;
        }
        int start = 0;
        for (int at = indexOf(text, 0); at >= 0; at = indexOf(text, start)) {
            String token = longestAt(text, at);
            if (policy == SpecialTokenPolicy.REJECT) {
                throw new IllegalArgumentException(String.format("text contains special token \"%s\" at index %d; "
                        + "encode with SpecialTokenPolicy.PLAIN_TEXT to treat it as text, or SPECIAL to allow it",
                        token, at));
            }
            ordinary.encode(text, start, at, out);
            out.add(ids.get(token));
            start = at + token.length();
        }
        ordinary.encode(text, start, text.length(), out);
    }

    /** Encodes a stretch of text that holds no special token. */
    interface OrdinaryEncoder {
        void encode(String text, int from, int to, IntList out);
    }

    @Override
    public String toString() {
        return ids.toString();
    }
}
