package dev.llmforge.alignment.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.alignment.data.BadRecords;
import dev.llmforge.alignment.data.PreferenceEncoder;
import dev.llmforge.alignment.data.PreferenceExample;
import dev.llmforge.alignment.data.PreferenceReader;
import dev.llmforge.alignment.data.RecordField;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import dev.llmforge.tokenizer.CharTokenizer;
import dev.llmforge.tokenizer.chat.ChatTemplate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Held-out pairwise accuracy counted pair by pair, overall and per value of a record field (the labeler's kind). */
class PairwiseAccuracyTest {
    static final Backend REFERENCE = Backends.get("reference");
    static final TensorFactory TENSORS = Tensor.on(REFERENCE);
    static final CharTokenizer TOKENIZER = CharTokenizer.fromCorpus("0123456789 abcdefghijklmnopqrstuvwxyz?.:\nQA\"", List.of("<|endoftext|>"));
    static final GptConfig CONFIG = GptConfig.builder().vocabSize(TOKENIZER.vocabSize()).blockSize(48).nLayer(1).nHead(2).nEmbd(16).build();

    @TempDir
    Path dir;

    /** One pair a line; the kind is form on odd lines, correctness on even ones, none on every fifth. */
    Path pairs() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            String kind = i % 5 == 0 ? "" : ", \"kind\": \"" + (i % 2 == 1 ? "form" : "correctness") + "\"";
            lines.add("{\"prompt\": \"what is " + i + "?\", \"chosen\": \"it is " + i + ".\", \"rejected\": \"" + "abcdefghij".substring(0, 1 + i % 9)
                    + " q\"" + kind + "}");
        }
        Path file = dir.resolve("pairs.jsonl");
        Files.write(file, lines);
        return file;
    }

    static RewardModel model() {
        RewardModel m = RewardModel.withFreshHead(new Gpt(CONFIG, REFERENCE, 7), 11);
        m.head().loadParameters(Map.of("summary.weight", TENSORS.randn(Shape.of(1, 16), DType.F32, 3),
                "summary.bias", TENSORS.of(new float[] {0.5f}, 1)));
        m.eval();
        return m;
    }

    /** The score of one sequence alone, unpadded: what batching must not change. */
    static double alone(RewardModel m, int[] ids) {
        try (TensorScope ignored = TensorScope.open()) {
            long[] row = new long[ids.length];
            for (int i = 0; i < ids.length; i++) {
                row[i] = ids[i];
            }
            return m.score(TENSORS.of(row, 1, ids.length), TENSORS.ones(Shape.of(1, ids.length), DType.F32)).item();
        }
    }

    @Test
    void countsEveryPairOnceOverallAndPerKind() throws Exception {
        Path file = pairs();
        List<List<PreferenceExample>> groups = new PreferenceEncoder(ChatTemplate.qa(), TOKENIZER, CONFIG.blockSize())
                .encodeAll(PreferenceReader.read(List.of(file), BadRecords.failFast()), BadRecords.failFast());
        try (RewardModel m = model()) {
            PairwiseAccuracy accuracy = PairwiseAccuracy.measure(m, groups, new RecordField("kind"), 3);
            int right = 0;
            Map<String, int[]> byKind = new TreeMap<>();
            for (int line = 1; line <= 20; line++) {
                PreferenceExample p = groups.get(line - 1).get(0);
                boolean isRight = alone(m, p.chosenSequence().ids()) > alone(m, p.rejectedSequence().ids());
                right += isRight ? 1 : 0;
                String kind = line % 5 == 0 ? RecordField.MISSING : line % 2 == 1 ? "form" : "correctness";
                int[] c = byKind.computeIfAbsent(kind, k -> new int[2]);
                c[0] += isRight ? 1 : 0;
                c[1]++;
            }
            assertEquals(new PairwiseAccuracy.Count(right, 20), accuracy.all());
            assertEquals(byKind.keySet(), accuracy.byValue().keySet());
            byKind.forEach((kind, c) -> assertEquals(new PairwiseAccuracy.Count(c[0], c[1]), accuracy.byValue().get(kind), kind));
            assertEquals(8, accuracy.byValue().get("form").pairs());
            assertEquals(8, accuracy.byValue().get("correctness").pairs());
            assertTrue(0 < right && right < 20, "a random head gets some pairs right and some wrong: " + right);
            assertTrue(accuracy.describe("kind").contains("kind=form: " + accuracy.byValue().get("form")));
        }
    }

    @Test
    void withoutAFieldOnlyTheOverallFigure() throws Exception {
        List<List<PreferenceExample>> groups = new PreferenceEncoder(ChatTemplate.qa(), TOKENIZER, CONFIG.blockSize())
                .encodeAll(PreferenceReader.read(List.of(pairs()), BadRecords.failFast()), BadRecords.failFast());
        try (RewardModel m = model()) {
            PairwiseAccuracy accuracy = PairwiseAccuracy.measure(m, groups, null, 8);
            assertEquals(20, accuracy.all().pairs());
            assertTrue(accuracy.byValue().isEmpty());
            assertEquals(List.of("all pairs: " + accuracy.all()), accuracy.describe(null));
        }
    }
}
