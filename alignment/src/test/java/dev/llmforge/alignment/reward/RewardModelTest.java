package dev.llmforge.alignment.reward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.io.Checkpoint;
import dev.llmforge.io.CheckpointFormatException;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RewardModelTest {
    static final Backend REFERENCE = Backends.get("reference");
    static final TensorFactory TENSORS = Tensor.on(REFERENCE);
    static final int EOS = 0;
    static final GptConfig CONFIG = GptConfig.builder().vocabSize(20).blockSize(16).nLayer(2).nHead(2).nEmbd(16).build();
    /** Responses that end with EOS, as sampled answers and encoded preference responses do. */
    static final long[][] ROWS = {{5, 3, 9, 2, EOS}, {7, 1, EOS}, {4, 4, 8, 11, 6, 2, 13, EOS}};

    @TempDir
    Path dir;

    static RewardModel model() {
        RewardModel m = RewardModel.withFreshHead(new Gpt(CONFIG, REFERENCE, 7), 11);
        m.head().loadParameters(Map.of("summary.weight", TENSORS.randn(Shape.of(1, 16), DType.F32, 3),
                "summary.bias", TENSORS.of(new float[] {0.75f}, 1)));
        m.eval();
        return m;
    }

    /** Each row's score alone (no padding), and the head read by hand at its last position. */
    static double[] alone(RewardModel m, long[][] rows) {
        double[] out = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            try (TensorScope ignored = TensorScope.open()) {
                int n = rows[i].length;
                Tensor ids = TENSORS.of(rows[i], 1, n);
                Tensor mask = TENSORS.ones(Shape.of(1, n), DType.F32);
                out[i] = m.score(ids, mask).item();
                float[] perPosition = m.values(ids, mask).toFloatArray();
                assertEquals(perPosition[n - 1], out[i], 1e-6, "the score is the value at the last token, both minus the offset");
            }
        }
        return out;
    }

    /** Rows padded with EOS (PAD == EOS) to {@code length}, on the left or the right, scored in one batch. */
    static double[] padded(RewardModel m, long[][] rows, int length, boolean left) {
        long[] ids = new long[rows.length * length];
        float[] mask = new float[rows.length * length];
        Arrays.fill(ids, EOS);
        for (int b = 0; b < rows.length; b++) {
            int start = left ? length - rows[b].length : 0;
            for (int t = 0; t < rows[b].length; t++) {
                ids[b * length + start + t] = rows[b][t];
                mask[b * length + start + t] = 1;
            }
        }
        try (TensorScope ignored = TensorScope.open()) {
            return m.score(TENSORS.of(ids, rows.length, length), TENSORS.of(mask, rows.length, length)).toDoubleArray();
        }
    }

    @Test
    void scoreIsReadAtTheLastRealTokenWhateverThePaddingSideAndAmountWithPadEqualToEos() {
        try (RewardModel m = model()) {
            double[] expected = alone(m, ROWS);
            assertArrayEquals(expected, padded(m, ROWS, 8, false), 1e-5, "right padding, PAD == EOS");
            assertArrayEquals(expected, padded(m, ROWS, 8, true), 1e-5, "left padding, PAD == EOS");
            assertArrayEquals(expected, padded(m, ROWS, 13, false), 1e-5, "more right padding");
            assertArrayEquals(expected, padded(m, ROWS, 13, true), 1e-5, "more left padding");
            // a reader that took the first EOS or the last column would get another number: the test can tell
            double[] atLastColumn = alone(m, new long[][] {{5, 3, 9, 2, EOS, EOS, EOS, EOS}});
            assertNotEquals(expected[0], atLastColumn[0], 1e-3);
        }
    }

    @Test
    void scoreDoesNotDependOnBatchCompanions() {
        try (RewardModel m = model()) {
            double[] expected = alone(m, ROWS);
            long[][] others = {{12, 12, 12, 12, 12, 12, 12, 12, 12, 12, EOS}, ROWS[1], {3, EOS}, ROWS[0]};
            double[] withOthers = padded(m, others, 11, false);
            assertEquals(expected[1], withOthers[1], 1e-5);
            assertEquals(expected[0], withOthers[3], 1e-5);
            assertEquals(alone(m, new long[][] {{3, EOS}})[0], padded(m, others, 11, true)[2], 1e-5);
        }
    }

    @Test
    void savedAndLoadedWithHeadBiasAndOffset() throws Exception {
        try (RewardModel m = model()) {
            m.normalise(new double[] {0.5, 1.5});
            assertEquals(1.0, m.offset(), 0);
            double[] expected = alone(m, ROWS);
            m.save(dir.resolve("rm"), "{\"tokenizer\":1}");
            try (RewardModel loaded = RewardModel.load(dir.resolve("rm"), REFERENCE)) {
                assertEquals(0.75, loaded.head().parameter("summary.bias").item(), 0, "head bias");
                assertEquals(1.0, loaded.offset(), 0);
                assertArrayEquals(expected, alone(loaded, ROWS), 0);
            }
            // the body is a plain model directory (what `llmforge generate` reads), with the tokenizer
            try (Gpt body = Checkpoint.loadModel(dir.resolve("rm"), REFERENCE)) {
                assertArrayEquals(m.body().parameter("wte.weight").toFloatArray(), body.parameter("wte.weight").toFloatArray());
            }
            assertEquals("{\"tokenizer\":1}", Checkpoint.tokenizerJson(dir.resolve("rm")).orElseThrow());
        }
    }

    @Test
    void aCheckpointWithoutOffsetHasOffsetZeroAndABadOffsetIsNamed() throws Exception {
        try (RewardModel m = model()) {
            m.save(dir.resolve("rm"));
            Files.delete(dir.resolve("rm").resolve(RewardModel.NORMALISATION_FILE));
            try (RewardModel loaded = RewardModel.load(dir.resolve("rm"), REFERENCE)) {
                assertEquals(0, loaded.offset(), 0);
            }
            Files.writeString(dir.resolve("rm").resolve(RewardModel.NORMALISATION_FILE), "{\"offset\": \"high\"}");
            CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> RewardModel.load(dir.resolve("rm"), REFERENCE));
            assertTrue(e.getMessage().contains(RewardModel.NORMALISATION_FILE) && e.getMessage().contains("finite number"), e.getMessage());
            Files.delete(dir.resolve("rm").resolve(RewardModel.HEAD_FILE));
            e = assertThrows(CheckpointFormatException.class, () -> RewardModel.load(dir.resolve("rm"), REFERENCE));
            assertTrue(e.getMessage().contains(RewardModel.HEAD_FILE), e.getMessage());
        }
    }

    @Test
    void fromCheckpointKeepsTheBodyAndAddsAFreshHead() throws Exception {
        try (Gpt base = new Gpt(CONFIG, REFERENCE, 7)) {
            Checkpoint.save(dir.resolve("sft"), base);
            try (RewardModel m = RewardModel.fromCheckpoint(dir.resolve("sft"), REFERENCE, 5)) {
                assertArrayEquals(base.parameter("h.1.mlp.c_fc.weight").toFloatArray(), m.body().parameter("h.1.mlp.c_fc.weight").toFloatArray());
                assertEquals(0, m.head().parameter("summary.bias").item(), 0);
                assertEquals(0, m.offset(), 0);
            }
        }
    }

    @Test
    void aCopyScoresAlikeAndHasWeightsOfItsOwn() {
        try (RewardModel m = model(); RewardModel value = m.copy()) {
            assertArrayEquals(alone(m, ROWS), alone(value, ROWS), 0);
            Tensor w = value.body().parameter("wte.weight");
            w.replaceWith(TENSORS.zeros(w.shape(), w.dtype()));
            assertNotEquals(0f, m.body().parameter("wte.weight").toFloatArray()[0]);
            assertEquals(m.parameters().size(), value.parameters().size());
            for (int i = 0; i < m.parameters().size(); i++) {
                assertTrue(m.parameters().get(i) != value.parameters().get(i));
            }
        }
    }

    @Test
    void scoreAllScoresInBatchesWhatEachSequenceScoresAlone() {
        try (RewardModel m = model()) {
            m.normalise(new double[] {0.25});
            List<int[]> sequences = Arrays.stream(ROWS).map(r -> Arrays.stream(r).mapToInt(x -> (int) x).toArray()).toList();
            double[] expected = alone(m, ROWS);
            m.train();
            assertArrayEquals(expected, m.scoreAll(sequences, 2), 1e-5);
            assertTrue(m.isTraining(), "the mode is restored");
        }
    }

    @Test
    void normaliseMakesTheGivenScoresAverageZero() {
        try (RewardModel m = model()) {
            double[] before = alone(m, ROWS);
            m.normalise(before);
            double mean = Arrays.stream(alone(m, ROWS)).average().orElseThrow();
            assertEquals(0, mean, 1e-6);
            assertThrows(IllegalArgumentException.class, () -> m.normalise(new double[0]));
        }
    }
}
