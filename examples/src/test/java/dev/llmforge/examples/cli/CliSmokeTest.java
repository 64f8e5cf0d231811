package dev.llmforge.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.training.metrics.JsonLinesMetrics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line in-process (picocli's execute) on the default backend: prepare, pretrain a tiny model, resume, generate. */
class CliSmokeTest {
    /** A tiny model: each run takes a few seconds. */
    static final String[] TINY = {"--n-layer", "1", "--n-head", "2", "--n-embd", "16", "--block-size", "16", "--batch-size", "4",
            "--eval-iters", "2", "--log-interval", "2"};

    @TempDir
    static Path dir;
    static Path text;

    /** What one command printed and returned. */
    record Run(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out:\n" + out + "\n--- err:\n" + err;
        }
    }

    static Run run(String... args) {
        CommandLine cl = Llmforge.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static String[] with(String[] base, String... more) {
        List<String> all = new ArrayList<>(List.of(base));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    @BeforeAll
    static void writeCorpus() throws Exception {
        text = dir.resolve("shakespeare-head.txt");
        Files.writeString(text, Corpus.tinyShakespeare().text().substring(0, 20_000), StandardCharsets.UTF_8);
    }

    static List<Double> stepLosses(Path metrics) throws Exception {
        return JsonLinesMetrics.read(metrics).stream().filter(n -> n.get("type").asText().equals("step")).map(n -> n.get("loss").asDouble())
                .toList();
    }

    @Test
    void prepareTrainResumeAndGenerate() throws Exception {
        Path data = dir.resolve("data");
        Run prepare = run("prepare", "--input", text.toString(), "--out", data.toString());
        assertEquals(0, prepare.exitCode(), prepare.toString());
        assertTrue(prepare.out().contains("18,000 train and 2,000 val tokens (char tokenizer"), prepare.toString());

        Path out = dir.resolve("run");
        Run train = run(with(TINY, "pretrain", "--data", data.toString(), "--out", out.toString(), "--max-iters", "6",
                "--eval-interval", "3"));
        // options of the subcommand come after its name
        assertEquals(2, train.exitCode(), "options before the subcommand are refused: " + train);
        train = run(with(new String[] {"pretrain", "--data", data.toString(), "--out", out.toString(), "--max-iters", "6", "--eval-interval", "3"},
                TINY));
        assertEquals(0, train.exitCode(), train.toString());
        assertTrue(train.out().matches("(?s).*backend: djl, \\d+ threads?\n.*"), "the backend and its thread count: " + train);
        assertTrue(train.out().contains("step 6/6 | loss "), train.toString());
        assertTrue(train.out().contains("eval at step 6: train loss"), train.toString());
        assertTrue(train.out().contains("done at step 6: 6 steps"), train.toString());
        assertTrue(Files.isRegularFile(out.resolve("ckpt/optimizer.safetensors")) && Files.isRegularFile(out.resolve("best/model.safetensors")));
        assertTrue(Files.size(out.resolve("loss.png")) > 1000);
        List<Double> firstSix = stepLosses(out.resolve("metrics.jsonl"));
        assertEquals(6, firstSix.size());

        Run again = run(with(new String[] {"pretrain", "--data", data.toString(), "--out", out.toString()}, TINY));
        assertEquals(1, again.exitCode());
        assertTrue(again.err().contains("holds a checkpoint at step 6 of an earlier run: continue it with --resume"), again.toString());

        Run resumed = run("pretrain", "--data", data.toString(), "--out", out.toString(), "--resume", "--max-iters", "8");
        assertEquals(0, resumed.exitCode(), resumed.toString());
        assertTrue(resumed.out().contains("done at step 8: 2 steps"), resumed.toString());
        List<Double> all = stepLosses(out.resolve("metrics.jsonl"));
        assertEquals(8, all.size());
        assertEquals(firstSix, all.subList(0, 6));

        Run reshaped = run("pretrain", "--data", data.toString(), "--out", out.toString(), "--resume", "--n-layer", "2");
        assertEquals(1, reshaped.exitCode());
        assertTrue(reshaped.err().contains("its shape cannot change (n-layer 1 -> 2)"), reshaped.toString());

        Run streamed = run("generate", "--checkpoint", out.resolve("best").toString(), "--prompt", "ROMEO:", "--max-new-tokens", "40",
                "--seed", "3");
        assertEquals(0, streamed.exitCode(), streamed.toString());
        String sample = streamed.out().strip();
        assertTrue(sample.startsWith("ROMEO:"), sample);
        assertEquals(6 + 40, streamed.out().length() - 1, "prompt, 40 characters and a newline: " + streamed);
        Run whole = run("generate", "--checkpoint", out.resolve("best").toString(), "--prompt", "ROMEO:", "--max-new-tokens", "40",
                "--seed", "3", "--no-stream");
        assertEquals(streamed.out(), whole.out(), "streaming prints exactly the finished text");
        Run three = run("generate", "--checkpoint", out.resolve("best").toString(), "--prompt", "ROMEO:", "--max-new-tokens", "40",
                "--seed", "3", "--num-samples", "3");
        assertEquals(0, three.exitCode(), three.toString());
        String[] samples = three.out().split("---------------\n");
        assertEquals(3, samples.length, three.toString());
        assertEquals(streamed.out(), samples[0], "sample 0 of a batch is the single sample of the same seed");
        assertTrue(!samples[1].equals(samples[2]) && samples[1].startsWith("ROMEO:"), three.toString());
        assertEquals(three.out(), run("generate", "--checkpoint", out.resolve("best").toString(), "--prompt", "ROMEO:", "--max-new-tokens",
                "40", "--seed", "3", "--num-samples", "3", "--no-stream").out(), "the same samples streamed or not");

        Run badPrompt = run("generate", "--checkpoint", out.resolve("best").toString(), "--prompt", "\u00e9t\u00e9");
        assertEquals(1, badPrompt.exitCode());
        assertTrue(badPrompt.err().contains("is not in the vocabulary"), badPrompt.toString());
    }

    @Test
    void pretrainWithoutDataPreparesTinyShakespeare() throws Exception {
        Path out = dir.resolve("default");
        Run r = run(with(new String[] {"pretrain", "--out", out.toString(), "--max-iters", "2", "--eval-interval", "2"}, TINY));
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("encoding Tiny Shakespeare (bundled) (1,115,394 characters) with tokenizer char"), r.toString());
        assertTrue(r.out().contains("1,003,854 train and 111,540 val tokens (char tokenizer, 65 tokens)"), r.toString());
        assertTrue(Files.isRegularFile(out.resolve("meta.pkl")) && Files.isRegularFile(out.resolve("train.bin")));
        assertEquals(Path.of("out", "shakespeare-char"), Corpus.tinyShakespeare().defaultOutput("char"));
    }

    @Test
    void anUnknownBackendFailsBeforeAnyDataIsPrepared() {
        Path out = dir.resolve("unknown-backend");
        Run r = run("pretrain", "--input", text.toString(), "--out", out.toString(), "--backend", "nosuch");
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("nosuch"), r.toString());
        assertTrue(!Files.exists(out), "nothing written for a run that cannot start: " + out);
    }

    @Test
    void configFilesAndFlagsLayer() throws Exception {
        Path data = dir.resolve("config-data");
        assertEquals(0, run("prepare", "--input", text.toString(), "--out", data.toString()).exitCode());
        Path config = dir.resolve("run.json");
        Files.writeString(config, "{\"n_layer\": 1, \"n_head\": 2, \"n_embd\": 16, \"block_size\": 16, \"batch_size\": 4, \"max_iters\": 2,"
                + " \"eval_iters\": 2, \"learning_rate\": 0.002, \"dropout\": 0.1}");
        Run r = run("pretrain", "--data", data.toString(), "--out", dir.resolve("config-run").toString(), "--config", config.toString(),
                "--dropout", "0", "--no-eval-at-start");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("n-layer=1 n-head=2 n-embd=16 block-size=16 dropout=0.0"), "flag beats file: " + r);
        assertTrue(r.out().contains("lr=0.002") && r.out().contains("eval-at-start=false"), r.toString());
        assertTrue(!r.out().contains("eval at step 0"), r.toString());
    }

    @Test
    void badInputGivesClearErrors() throws Exception {
        Run both = run("pretrain", "--resume", "--overwrite");
        assertEquals(1, both.exitCode());
        assertTrue(both.err().contains("choose one"), both.toString());

        Run missing = run("pretrain", "--data", dir.resolve("none").toString());
        assertEquals(1, missing.exitCode());
        assertTrue(missing.err().contains("does not exist"), missing.toString());

        Path data = dir.resolve("errors-data");
        assertEquals(0, run("prepare", "--input", text.toString(), "--out", data.toString()).exitCode());
        Run unknown = run(with(new String[] {"pretrain", "--data", data.toString(), "--out", dir.resolve("e1").toString(), "--backend", "nope"},
                TINY));
        assertEquals(1, unknown.exitCode());
        assertTrue(unknown.err().contains("unknown backend 'nope'") && unknown.err().contains("djl"), unknown.toString());

        Run value = run("pretrain", "--data", data.toString(), "--out", dir.resolve("e2").toString(), "--max-iters", "lots");
        assertEquals(1, value.exitCode());
        assertTrue(value.err().contains("'--max-iters' in the command line: expected an integer, found 'lots'"), value.toString());

        Path config = dir.resolve("bad.json");
        Files.writeString(config, "{\"n_layers\": 2}");
        Run key = run("pretrain", "--data", data.toString(), "--out", dir.resolve("e3").toString(), "--config", config.toString());
        assertEquals(1, key.exitCode());
        assertTrue(key.err().contains("unknown setting 'n_layers' in the config file"), key.toString());

        Run tokenizer = run("prepare", "--input", text.toString(), "--out", dir.resolve("e4").toString(), "--tokenizer", "words");
        assertEquals(1, tokenizer.exitCode());
        assertTrue(tokenizer.err().contains("unknown tokenizer 'words': expected char, gpt2, bpe:N or bpe:N:digits"), tokenizer.toString());

        Run input = run("prepare", "--input", dir.resolve("missing.txt").toString(), "--out", dir.resolve("e5").toString());
        assertEquals(1, input.exitCode());
        assertTrue(input.err().contains("input file") && input.err().contains("does not exist"), input.toString());

        Run checkpoint = run("generate", "--checkpoint", data.toString());
        assertEquals(1, checkpoint.exitCode());
        assertTrue(checkpoint.err().contains("is not a checkpoint: expected model.safetensors"), checkpoint.toString());

        Run noRun = run("pretrain", "--data", data.toString(), "--out", dir.resolve("e6").toString(), "--resume");
        assertEquals(1, noRun.exitCode());
        assertTrue(noRun.err().contains("nothing to resume"), noRun.toString());

        // a checkpoint trained on other data (different characters, so a different tokenizer)
        Path other = dir.resolve("other.txt");
        Files.writeString(other, "abcdefghij".repeat(300));
        Path otherData = dir.resolve("other-data");
        assertEquals(0, run("prepare", "--input", other.toString(), "--out", otherData.toString()).exitCode());
        Path otherRun = dir.resolve("other-run");
        assertEquals(0, run(with(new String[] {"pretrain", "--data", otherData.toString(), "--out", otherRun.toString(), "--max-iters", "1"},
                TINY)).exitCode());
        Run mismatch = run("pretrain", "--data", data.toString(), "--out", otherRun.toString(), "--resume", "--max-iters", "2");
        assertEquals(1, mismatch.exitCode());
        assertTrue(mismatch.err().contains("vocabulary mismatch: the model has 10 tokens"), mismatch.toString());
    }

    @Test
    void sparkFlagsWithoutTheSparkModuleSayHowToAddIt() throws Exception {
        Path data = dir.resolve("spark-data");
        assertEquals(0, run("prepare", "--input", text.toString(), "--out", data.toString()).exitCode());
        Run r = run(with(new String[] {"pretrain", "--data", data.toString(), "--out", dir.resolve("spark-run").toString(), "--replicas", "2",
                "--spark-master", "local[2]"}, TINY));
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("--spark-master and --replicas need the module llmforge-spark and Spark on the class path: run "
                + "LLMFORGE_SPARK=1 ./llmforge"), r.toString());
        assertTrue(r.out().contains("data-parallel: 2 replicas on Spark (master local[2]), 4 rows each, a global batch of 8"), r.toString());
    }
}
