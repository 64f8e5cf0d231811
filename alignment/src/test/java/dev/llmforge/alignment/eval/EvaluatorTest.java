package dev.llmforge.alignment.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.alignment.answers.AnswerChecker;
import dev.llmforge.generate.GenerationConfig;
import dev.llmforge.generate.GenerationResult;
import dev.llmforge.generate.Generator;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tokenizer.CharTokenizer;
import dev.llmforge.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The evaluator on a tiny random model (reference backend): what it generates, batched and voted, is what the
 * generator gives each question on its own under the documented seeds, and its paths are scored by the checker.
 */
class EvaluatorTest {
    static final Tokenizer TOKENIZER = CharTokenizer.fromCorpus("QA: ?.'0123456789\nabcdefghijklmnopqrstuvwxyzCNPWHTI");
    static final List<EvalRecord> RECORDS = List.of(
            new EvalRecord("What's the capital of Peru?", "Lima", "capital", null),
            new EvalRecord("When I was 6 my sister was half my age. Now I'm 70 how old is my sister?", "67", "age", null),
            new EvalRecord("What is the capital of Chad?", "N'Djamena", "capital", null));
    static final EvalPrompt ZERO_SHOT = new EvalPrompt(PromptStyle.ZERO_SHOT, null, null);
    static Gpt model;

    @BeforeAll
    static void model() {
        model = new Gpt(GptConfig.gpt2(TOKENIZER.vocabSize(), 128, 1, 2, 16).toBuilder().initStd(0.5).build(), Backends.get("reference"), 3);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static List<GenerationResult> alone(EvalRecord record, int copies, GenerationConfig config) {
        try (Generator generator = new Generator(model, TOKENIZER::decode)) {
            return generator.generate(Collections.nCopies(copies, ZERO_SHOT.render(record, TOKENIZER).ids()), config, null);
        }
    }

    @Test
    void greedyBatchedIsEachQuestionAlone() {
        List<Integer> progress = new ArrayList<>();
        List<QuestionResult> results = new Evaluator(model, TOKENIZER, ZERO_SHOT, Evaluator.Sampling.greedy(12), 2).run(RECORDS, progress::add);
        assertEquals(List.of(2, 3), progress);
        assertEquals(3, results.size());
        for (int i = 0; i < RECORDS.size(); i++) {
            QuestionResult r = results.get(i);
            GenerationResult expected = alone(RECORDS.get(i), 1, GenerationConfig.builder().maxNewTokens(12).temperature(0)
                    .stopStrings(List.of("\n\n")).build()).get(0);
            assertEquals(i, r.index());
            assertEquals(1, r.paths().size());
            assertEquals(expected.text(), r.chosen().text());
            assertEquals(ZERO_SHOT.render(RECORDS.get(i), TOKENIZER).ids().length, r.promptTokens());
            double sum = 0;
            for (float lp : expected.logProbs()) {
                sum += lp;
            }
            assertEquals(sum, r.chosen().logProb(), 1e-9);
            assertEquals(AnswerChecker.isCorrect(RECORDS.get(i).question(), RECORDS.get(i).answer(), expected.text()), r.chosen().correct());
        }
    }

    @Test
    void sampledPathsUseTheSeedPlusTheFirstQuestionsIndex() {
        Evaluator.Sampling sampling = new Evaluator.Sampling(3, 1.0, 0, 10, 42);
        List<QuestionResult> results = new Evaluator(model, TOKENIZER, ZERO_SHOT, sampling, 3).run(RECORDS, done -> {
        });
        for (int i = 0; i < RECORDS.size(); i++) {
            List<GenerationResult> expected = alone(RECORDS.get(i), 3, GenerationConfig.builder().maxNewTokens(10).temperature(1.0)
                    .seed(42 + i).stopStrings(List.of("\n\n")).build());
            QuestionResult r = results.get(i);
            assertEquals(3, r.paths().size());
            for (int p = 0; p < 3; p++) {
                assertEquals(expected.get(p).text(), r.paths().get(p).text());
            }
        }
        assertTrue(results.stream().flatMap(r -> r.paths().stream()).map(QuestionResult.Path::text).distinct().count() > 1,
                "sampling at temperature 1 from a random model gives different paths");
    }

    @Test
    void withOneQuestionPerCallTheFirstKPathsAreThoseOfSamplingK() {
        List<QuestionResult> five = new Evaluator(model, TOKENIZER, ZERO_SHOT, new Evaluator.Sampling(5, 1.0, 0, 10, 42), 9).run(RECORDS, done -> {
        });
        List<QuestionResult> two = new Evaluator(model, TOKENIZER, ZERO_SHOT, new Evaluator.Sampling(2, 1.0, 0, 10, 42), 2).run(RECORDS, done -> {
        });
        for (int i = 0; i < RECORDS.size(); i++) {
            assertEquals(two.get(i), five.get(i).firstPaths(2), "question " + i);
        }
    }

    @Test
    void samplingSettingsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new Evaluator.Sampling(5, 0, 40, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> new Evaluator.Sampling(0, 0.7, 40, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> new Evaluator(model, TOKENIZER, ZERO_SHOT, Evaluator.Sampling.greedy(4), 0));
    }
}
