package dev.llmforge.alignment.sft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmforge.alignment.data.BadRecords;
import dev.llmforge.alignment.data.SftReader;
import dev.llmforge.alignment.data.SftRecord;
import dev.llmforge.io.Checkpoint;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tokenizer.CharTokenizer;
import dev.llmforge.tokenizer.SpecialTokens;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingCheckpoint;
import dev.llmforge.training.TrainingConfig;
import dev.llmforge.training.TrainingResult;
import dev.llmforge.training.metrics.JsonLinesMetrics;
import dev.llmforge.training.metrics.StepMetrics;
import dev.llmforge.training.metrics.TrainingListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A whole fine-tuning run on GSM8K records: special token added, evaluation, checkpoints, exact resume. */
class SftTest {
    static final Backend REFERENCE = Backends.get("reference");

    @TempDir
    Path dir;

    static Path gsm8k() throws Exception {
        return Path.of(SftTest.class.getResource("/data/gsm8k/train-first200.jsonl").toURI());
    }

    /** A character vocabulary of the file's text and the template's "Q:"/"A:", without {@code <|endoftext|>} (as `llmforge prepare` makes it). */
    static CharTokenizer baseTokenizer() throws Exception {
        StringBuilder text = new StringBuilder("Q: A:\n");
        for (SftRecord r : SftReader.read(List.of(gsm8k()), BadRecords.failFast())) {
            r.messages().forEach(m -> text.append(m.content()));
        }
        return CharTokenizer.fromCorpus(text.toString());
    }

    static Gpt baseModel(Tokenizer t) {
        return new Gpt(GptConfig.gpt2(t.vocabSize(), 48, 1, 2, 16), REFERENCE, 5);
    }

    Sft.Builder run(Path out) throws Exception {
        TrainingConfig config = TrainingConfig.builder().maxIters(6).batchSize(4).learningRate(3e-3).warmupIters(1).lrDecayIters(6)
                .evalInterval(3).evalIters(1).seed(9).build();
        return Sft.builder().backend(REFERENCE).data(List.of(gsm8k())).template("qa").config(config).answerEvaluation(3, 6)
                .outputDir(out).report(line -> { });
    }

    static List<Double> stepLosses(Path out) throws Exception {
        List<Double> losses = new ArrayList<>();
        for (JsonNode n : JsonLinesMetrics.read(out.resolve(Trainer.METRICS_FILE))) {
            if (n.get("type").asText().equals("step")) {
                losses.add(n.get("loss").asDouble());
            }
        }
        return losses;
    }

    @Test
    void fineTunesWithAnAddedEndOfTextAndResumesExactly() throws Exception {
        CharTokenizer base = baseTokenizer();
        Path straight = dir.resolve("straight");
        List<String> reports = new ArrayList<>();
        TrainingResult result;
        try (Gpt model = baseModel(base); Trainer t = run(straight).model(model, base).report(reports::add).build()) {
            result = t.run();
        }
        assertEquals(6, result.lastStep());
        assertTrue(reports.get(0).startsWith("added the special tokens <|endoftext|> (id " + base.vocabSize() + "); the model grew from "
                + base.vocabSize() + " to " + (base.vocabSize() + 1)), reports.toString());
        assertTrue(reports.contains("records: 190 to train, 10 held out (0.05 of 200, chosen from the seed)"), reports.toString());
        assertTrue(result.lastEval().values().containsKey("val_loss"));
        for (String metric : List.of("val_exact_match", "val_answers", "val_ends_cleanly")) {
            double share = result.lastEval().get(metric) * 3;
            assertTrue(Math.abs(share - Math.round(share)) < 1e-9 && share >= 0 && share <= 3, metric + ": a share of 3 answers: " + share / 3);
        }
        assertTrue(result.lastEval().values().containsKey("train_loss"));

        // the checkpoint is a plain model directory with the grown tokenizer
        Path best = straight.resolve(Trainer.BEST_DIR);
        Tokenizer saved = TrainingCheckpoint.tokenizer(best);
        assertEquals(base.vocabSize(), saved.specialTokens().requireId(SpecialTokens.END_OF_TEXT));
        try (Gpt loaded = Checkpoint.loadModel(best, REFERENCE)) {
            assertEquals(saved.vocabSize(), loaded.config().vocabSize());
        }

        Path resumed = dir.resolve("resumed");
        try (Gpt model = baseModel(base)) {
            stopAndResume(run(resumed).model(model, base), run(resumed), resumed, 3);
        }
        assertEquals(stepLosses(straight), stepLosses(resumed), "the same loss at every step, bit for bit");
        try (Gpt a = Checkpoint.loadModel(straight.resolve(Trainer.LATEST_DIR), REFERENCE);
             Gpt b = Checkpoint.loadModel(resumed.resolve(Trainer.LATEST_DIR), REFERENCE)) {
            for (String name : a.namedParameters().keySet()) {
                assertArrayEquals(a.parameter(name).toFloatArray(), b.parameter(name).toFloatArray(), name);
            }
        }
    }

    /** Runs {@code fresh} until it stops after {@code step}, then {@code again} from the saved checkpoint to the end. */
    static void stopAndResume(Sft.Builder fresh, Sft.Builder again, Path out, int step) throws Exception {
        try (Trainer t = fresh.build()) {
            t.addListener(new TrainingListener() {
                @Override
                public void onStep(StepMetrics m) {
                    if (m.step() == step) {
                        t.requestStop();
                    }
                }
            });
            assertTrue(t.run().stoppedEarly());
        }
        try (Trainer t = again.resumeFrom(out.resolve(Trainer.LATEST_DIR)).build()) {
            assertEquals(step, t.step());
            t.run();
        }
    }

    @Test
    void packedRunsResumeExactlyAndOnlyPacked() throws Exception {
        Path data = dir.resolve("short.jsonl");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            lines.add("{\"prompt\": \"What is " + i + " plus 2?\", \"completion\": \"It is " + (i + 2) + ".\"}");
        }
        java.nio.file.Files.write(data, lines);
        CharTokenizer base = CharTokenizer.fromCorpus("Q: A:\nWhat is plus 2? It is 0123456789.");
        TrainingConfig config = TrainingConfig.builder().maxIters(4).batchSize(2).learningRate(3e-3).warmupIters(1).lrDecayIters(4)
                .evalInterval(2).evalIters(1).seed(3).build();
        java.util.function.Function<Path, Sft.Builder> packed = out -> Sft.builder().backend(REFERENCE).data(List.of(data)).template("qa")
                .config(config).answerEvaluation(0, 6).packing(true).outputDir(out).report(line -> { });
        Path straight = dir.resolve("packed-straight");
        List<String> reports = new ArrayList<>();
        GptConfig wide = GptConfig.gpt2(base.vocabSize(), 96, 1, 2, 16); // a context for two records of about 34 tokens
        try (Gpt model = new Gpt(wide, REFERENCE, 5); Trainer t = packed.apply(straight).model(model, base).report(reports::add).build()) {
            t.run();
        }
        // 23 training records of about 34 tokens: one a row takes 12 batches of 2, two a row (97 positions) 6
        assertTrue(reports.stream().anyMatch(r -> r.startsWith("packing: an epoch of 23 training records takes 6 batches")), reports.toString());
        Path resumed = dir.resolve("packed-resumed");
        try (Gpt model = new Gpt(wide, REFERENCE, 5)) {
            stopAndResume(packed.apply(resumed).model(model, base), packed.apply(resumed), resumed, 2);
        }
        assertEquals(stepLosses(straight), stepLosses(resumed), "the same loss at every step, bit for bit");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> packed.apply(resumed).packing(false).resumeFrom(resumed.resolve(Trainer.LATEST_DIR)).build());
        assertTrue(e.getMessage().contains("was fine-tuned with packing: resume with --packing"), e.getMessage());
    }

    @Test
    void aModelWhoseTokenizerHasTheTemplatesTokensIsTrainedInPlace() throws Exception {
        Tokenizer withEot = baseTokenizer().withAddedSpecialTokens(List.of(SpecialTokens.END_OF_TEXT));
        try (Gpt model = baseModel(withEot)) {
            float[] before = model.parameter("wte.weight").toFloatArray();
            try (Trainer t = run(dir.resolve("in-place")).model(model, withEot).build()) {
                assertTrue(t.model() == model, "no copy");
                t.run();
            }
            float[] after = model.parameter("wte.weight").toFloatArray();
            assertTrue(!java.util.Arrays.equals(before, after), "trained");
            assertEquals(withEot.vocabSize(), model.config().vocabSize());
        }
    }
}
