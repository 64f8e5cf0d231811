package dev.llmforge.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmforge.nn.Module;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.training.data.DatasetPreparer;
import dev.llmforge.training.data.TokenData;
import dev.llmforge.training.metrics.EvalMetrics;
import dev.llmforge.training.metrics.JsonLinesMetrics;
import dev.llmforge.training.metrics.StepMetrics;
import dev.llmforge.training.metrics.TrainingListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** What the training tests share: the first 2,000 characters of Tiny Shakespeare, a recorder, and comparisons. */
final class TrainingFixtures {
    private TrainingFixtures() {
    }

    /** Records what a run reports. */
    static final class Recorder implements TrainingListener {
        final List<Double> losses = new ArrayList<>();
        final List<StepMetrics> steps = new ArrayList<>();
        final List<EvalMetrics> evals = new ArrayList<>();

        @Override
        public void onStep(StepMetrics m) {
            losses.add(m.loss());
            steps.add(m);
        }

        @Override
        public void onEval(EvalMetrics m) {
            evals.add(m);
        }
    }

    /**
     * Asserts that a run interrupted ({@code before}) and resumed ({@code after}) reported exactly
     * what the uninterrupted run did: every step's series, bit for bit, and every evaluation.
     */
    static void assertResumedExactly(Recorder straight, Recorder before, Recorder after) {
        List<StepMetrics> steps = new ArrayList<>(before.steps);
        steps.addAll(after.steps);
        assertEquals(straight.losses, steps.stream().map(StepMetrics::loss).toList(), "per-step losses, bit for bit");
        assertEquals(straight.steps.stream().map(StepMetrics::metrics).toList(), steps.stream().map(StepMetrics::metrics).toList(),
                "every series of every step");
        List<EvalMetrics> evals = new ArrayList<>(before.evals);
        evals.addAll(after.evals);
        assertEquals(straight.evals, evals, "every evaluation");
    }

    /** The test resource {@code nanogpt/head2000.txt}. */
    static String shakespeareHead() throws Exception {
        return Files.readString(Path.of(TrainingFixtures.class.getResource("/nanogpt/head2000.txt").toURI()), StandardCharsets.UTF_8);
    }

    /** {@link #shakespeareHead()} prepared at character level in {@code dir}. */
    static TokenData preparedShakespeareHead(Path dir) throws Exception {
        return DatasetPreparer.prepare(shakespeareHead(), "char", dir, 0.9, "head2000.txt");
    }

    /** A listener that asks the trainer to stop after {@code step}. */
    static TrainingListener stopAt(Trainer t, long step) {
        return new TrainingListener() {
            @Override
            public void onStep(StepMetrics m) {
                if (m.step() == step) {
                    t.requestStop();
                }
            }
        };
    }

    /** The per-step losses a metrics file holds. */
    static List<Double> stepLosses(Path metrics) throws Exception {
        return JsonLinesMetrics.read(metrics).stream().filter(n -> n.get("type").asText().equals("step")).map(n -> n.get("loss").asDouble())
                .toList();
    }

    static float[][] params(Module model) {
        return model.parameters().stream().map(Tensor::toFloatArray).toArray(float[][]::new);
    }

    static void assertSameParameters(float[][] expected, float[][] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual[i], "parameter " + i);
        }
    }

    static Set<String> fileNames(Path d) throws Exception {
        try (var s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }
}
