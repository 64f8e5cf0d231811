package dev.llmforge.examples.cli;

import static dev.llmforge.examples.cli.CliSmokeTest.run;
import static dev.llmforge.examples.cli.CliSmokeTest.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.examples.cli.CliSmokeTest.Run;
import dev.llmforge.io.Checkpoint;
import dev.llmforge.model.Gpt;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tokenizer.SentencePieceTokenizer;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.training.TrainingCheckpoint;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.metrics.JsonLinesMetrics;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code llmforge sft} and {@code llmforge chat} in-process on the reference backend, with a tiny base model. */
class SftCliTest {
    static final String[] TINY = {"--backend", "reference", "--batch-size", "4", "--eval-iters", "1", "--log-interval", "2"};

    @TempDir
    Path dir;

    /** Sums of two digits as prompt/completion records with their final answer, and the same as Q&A text for the base. */
    private Path writeData() throws Exception {
        StringBuilder records = new StringBuilder();
        StringBuilder text = new StringBuilder();
        for (int a = 0; a < 6; a++) {
            for (int b = 0; b < 5; b++) {
                records.append(String.format("{\"prompt\":\"%d+%d?\",\"completion\":\"The answer is %d.\",\"final_answer\":\"%d\"}%n", a, b, a + b, a + b));
                text.append(String.format("Q: %d+%d?%nA: The answer is %d.%n%n", a, b, a + b));
            }
        }
        Files.writeString(dir.resolve("base.txt"), text.toString().repeat(4), StandardCharsets.UTF_8);
        return Files.writeString(dir.resolve("sums.jsonl"), records.toString(), StandardCharsets.UTF_8);
    }

    @Test
    void fineTunesResumesAndChats() throws Exception {
        Path data = writeData();
        Path base = dir.resolve("base");
        Run pretrain = run("pretrain", "--input", dir.resolve("base.txt").toString(), "--out", base.toString(), "--backend", "reference",
                "--n-layer", "1", "--n-head", "2", "--n-embd", "16", "--block-size", "32", "--batch-size", "4", "--max-iters", "2",
                "--eval-interval", "2", "--eval-iters", "1");
        assertEquals(0, pretrain.exitCode(), pretrain.toString());

        Path out = dir.resolve("sft");
        Run sft = run(with(new String[] {"sft", "--from", base.resolve(Trainer.BEST_DIR).toString(), "--data", data.toString(), "--out",
                out.toString(), "--max-iters", "4", "--eval-interval", "2", "--eval-answers", "3", "--answer-tokens", "8", "--lr", "3e-3", "--warmup-iters", "1", "--lr-decay-iters", "6"}, TINY));
        assertEquals(0, sft.exitCode(), sft.toString());
        assertTrue(sft.out().contains("from: llmforge checkpoint " + base.resolve(Trainer.BEST_DIR)), sft.toString());
        assertTrue(sft.out().contains("added the special tokens <|endoftext|>"), sft.toString());
        assertTrue(sft.out().contains("records: 28 to train, 2 held out"), sft.toString());
        assertTrue(sft.out().contains("step 4/4 | loss "), sft.toString());
        assertTrue(sft.out().contains("val_exact_match"), sft.toString());
        assertTrue(sft.out().contains("chat with it: llmforge chat --checkpoint " + out.resolve(Trainer.BEST_DIR)), sft.toString());

        Run again = run(with(new String[] {"sft", "--from", base.resolve(Trainer.BEST_DIR).toString(), "--data", data.toString(), "--out",
                out.toString()}, TINY));
        assertEquals(1, again.exitCode(), again.toString());
        assertTrue(again.err().contains("continue it with --resume, start over with --overwrite"), again.toString());

        Run resumed = run(with(new String[] {"sft", "--out", out.toString(), "--resume", "--max-iters", "6"}, TINY));
        assertEquals(0, resumed.exitCode(), resumed.toString());
        assertTrue(resumed.out().contains("step 6/6 | loss "), resumed.toString());
        long steps = JsonLinesMetrics.read(out.resolve(Trainer.METRICS_FILE)).stream().filter(n -> n.get("type").asText().equals("step")).count();
        assertEquals(6, steps, "steps 1-6, once each");

        Run one = run("chat", "--checkpoint", out.resolve(Trainer.BEST_DIR).toString(), "--backend", "reference", "--prompt", "2+3?",
                "--temperature", "0", "--max-new-tokens", "10");
        assertEquals(0, one.exitCode(), one.toString());
        assertTrue(!one.out().isBlank(), one.toString());

        InputStream stdin = System.in;
        try {
            System.setIn(new ByteArrayInputStream("1+1?\n/temperature 0\n/system be brief\n2+2?\n/reset\n/nope\n".getBytes(StandardCharsets.UTF_8)));
            Run chat = run("chat", "--checkpoint", out.resolve(Trainer.BEST_DIR).toString(), "--backend", "reference", "--max-new-tokens", "6");
            assertEquals(0, chat.exitCode(), chat.toString());
            List<String> expected = List.of("chatting with ", "(temperature 0.0)", "(system message set)",
                    "(the Q&A template has roles \"user\" and \"assistant\", found \"system\")", "(conversation forgotten)", "(unknown command /nope; /help lists them)");
            for (String s : expected) {
                assertTrue(chat.out().contains(s), "'" + s + "' in " + chat);
            }
        } finally {
            System.setIn(stdin);
        }

        Run missing = run("sft", "--data", data.toString(), "--out", dir.resolve("x").toString(), "--backend", "reference");
        assertEquals(1, missing.exitCode());
        assertTrue(missing.err().contains("--from DIR is required"), missing.toString());
    }

    /** A resource of the backend kit's stories260K folder (llama2.c's tinyllamas model and its tokenizer, MIT), copied to a file. */
    private Path stories260k(String name) throws Exception {
        try (InputStream in = SftCliTest.class.getResourceAsStream("/golden/stories260K/" + name)) {
            Path file = dir.resolve(name);
            Files.copy(in, file);
            return file;
        }
    }

    @Test
    void fineTunesALlama2cCheckpointAndChatsWithTheSavedModel() throws Exception {
        StringBuilder records = new StringBuilder();
        String[] names = {"Lily", "Tom", "Sue", "Max", "Ben"};
        String[] things = {"a big dog", "a red ball", "a little bird", "a tree", "the sun"};
        for (String name : names) {
            for (String thing : things) {
                records.append(String.format("{\"prompt\":\"What did %s see?\",\"completion\":\"%s saw %s.\"}%n", name, name, thing));
            }
        }
        Path data = Files.writeString(dir.resolve("seen.jsonl"), records.toString(), StandardCharsets.UTF_8);
        Path out = dir.resolve("llama-sft");
        Run sft = run(with(new String[] {"sft", "--from", stories260k("stories260K.bin").toString(), "--tokenizer",
                stories260k("tok512.bin").toString(), "--data", data.toString(), "--out", out.toString(), "--val-fraction", "0.2",
                "--max-iters", "6", "--eval-interval", "6", "--eval-answers", "0", "--lr", "2e-3", "--warmup-iters", "1",
                "--lr-decay-iters", "6"}, TINY));
        assertEquals(0, sft.exitCode(), sft.toString());
        assertTrue(sft.out().contains("from: llama2.c checkpoint "), sft.toString());
        assertTrue(sft.out().contains("(llama2.c SentencePiece tokenizer, 512 tokens)"), sft.toString());
        assertTrue(sft.out().contains("added the special tokens <|endoftext|> (id 512); the model grew from 512 to 513 tokens"), sft.toString());
        List<Double> valLosses = JsonLinesMetrics.read(out.resolve(Trainer.METRICS_FILE)).stream().filter(n -> n.get("type").asText().equals("eval"))
                .map(n -> n.get("val_loss").asDouble()).toList();
        assertEquals(2, valLosses.size(), valLosses.toString());
        assertTrue(valLosses.get(1) < valLosses.get(0), "the held-out masked loss falls: " + valLosses);

        Path best = out.resolve(Trainer.BEST_DIR);
        Tokenizer saved = TrainingCheckpoint.tokenizer(best);
        assertTrue(saved instanceof SentencePieceTokenizer, saved.getClass().getName());
        assertEquals(513, saved.vocabSize());
        assertEquals("What did Lily see?", saved.decode(saved.encode("What did Lily see?")));
        try (Gpt model = Checkpoint.loadModel(best, Backends.get("reference"))) {
            assertEquals(513, model.config().vocabSize());
        }
        Run chat = run("chat", "--checkpoint", best.toString(), "--backend", "reference", "--prompt", "What did Tom see?", "--temperature", "0",
                "--max-new-tokens", "12");
        assertEquals(0, chat.exitCode(), chat.toString());
        assertTrue(!chat.out().isBlank(), chat.toString());
    }
}
