package dev.llmforge.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The r50k_base and cl100k_base cases of gpt-tokenizer's TestPlans.txt (text → ids). */
class TestPlansTest {
    private static final Pattern CASE = Pattern.compile(
            "EncodingName: (\\S+)\nSample: (.*)\nEncoded: \\[(.*)]\n");

    record Case(String encoding, String text, int[] ids) {
    }

    static List<Case> cases(String encoding) {
        List<Case> cases = new ArrayList<>();
        Matcher matcher = CASE.matcher(TestData.read("tokenizer-vectors/TestPlans.txt"));
        while (matcher.find()) {
            if (matcher.group(1).equals(encoding)) {
                int[] ids = matcher.group(3).isEmpty() ? new int[0]
                        : Arrays.stream(matcher.group(3).split(", ")).mapToInt(Integer::parseInt).toArray();
                cases.add(new Case(encoding, matcher.group(2), ids));
            }
        }
        return cases;
    }

    @Test
    void r50kCasesEncodeAndDecodeWithEachGpt2Source() throws IOException {
        List<Case> cases = cases("r50k_base");
        assertEquals(64, cases.size());
        List<BpeTokenizer> sources = List.of(BpeTokenizer.gpt2(),
                BpeTokenizer.fromHuggingFace(TestData.gpt2File("tokenizer.json")),
                BpeTokenizer.fromGpt2Files(TestData.gpt2File("encoder.json"), TestData.gpt2File("vocab.bpe")));
        for (BpeTokenizer tokenizer : sources) {
            for (Case c : cases) {
                assertArrayEquals(c.ids(), tokenizer.encode(c.text()), c.text());
                assertEquals(c.text(), tokenizer.decode(c.ids()));
            }
        }
    }

    @Test
    void cl100kCasesEncodeAndDecode() {
        List<Case> cases = cases("cl100k_base");
        assertEquals(64, cases.size());
        BpeTokenizer tokenizer = TestData.cl100k();
        for (Case c : cases) {
            assertArrayEquals(c.ids(), tokenizer.encode(c.text()), c.text());
            assertEquals(c.text(), tokenizer.decode(c.ids()));
        }
    }
}
