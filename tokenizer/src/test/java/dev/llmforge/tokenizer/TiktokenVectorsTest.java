package dev.llmforge.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Adversarial texts (odd spaces and line breaks, contractions, ſ, combining marks, numbers of many scripts,
 * lone surrogates, pieces of thousands of bytes, special-token text) with the ids and decoding that tiktoken
 * 0.14 gives them; made by src/test/python/make_tiktoken_vectors.py.
 */
class TiktokenVectorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Vector(String text, boolean special, int[] ids, String decoded) {
    }

    static List<Vector> vectors(String encoding) {
        List<Vector> vectors = new ArrayList<>();
        for (String line : TestData.read("tiktoken-vectors/tiktoken-vectors.jsonl").split("\n")) {
            try {
                JsonNode node = JSON.readTree(line);
                if (node.get("encoding").asText().equals(encoding)) {
                    vectors.add(new Vector(node.get("text").asText(), node.get("special").asBoolean(),
                            JSON.treeToValue(node.get("ids"), int[].class), node.get("decoded").asText()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return vectors;
    }

    @Test
    void r50kMatchesTiktoken() {
        check(BpeTokenizer.gpt2(), vectors("r50k_base"));
    }

    @Test
    void cl100kMatchesTiktoken() {
        check(TestData.cl100k(), vectors("cl100k_base"));
    }

    private static void check(BpeTokenizer tokenizer, List<Vector> vectors) {
        assertEquals(1775, vectors.size());
        assertEquals(100, vectors.stream().filter(Vector::special).count());
        for (Vector v : vectors) {
            SpecialTokenPolicy policy = v.special() ? SpecialTokenPolicy.SPECIAL : SpecialTokenPolicy.PLAIN_TEXT;
            assertArrayEquals(v.ids(), tokenizer.encode(v.text(), policy), () -> JSON.valueToTree(v.text()).toString());
            assertEquals(v.decoded(), tokenizer.decode(v.ids()));
        }
    }
}
