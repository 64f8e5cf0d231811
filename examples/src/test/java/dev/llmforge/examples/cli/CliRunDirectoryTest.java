package dev.llmforge.examples.cli;

import static dev.llmforge.examples.cli.CliSmokeTest.TINY;
import static dev.llmforge.examples.cli.CliSmokeTest.run;
import static dev.llmforge.examples.cli.CliSmokeTest.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.examples.cli.CliSmokeTest.Run;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The output directory of a run as other commands meet it: mid-swap checkpoints, a run in progress. */
class CliRunDirectoryTest {
    @TempDir
    static Path dir;
    static Path data;

    @BeforeAll
    static void prepare() throws Exception {
        Path text = dir.resolve("head.txt");
        Files.writeString(text, Corpus.tinyShakespeare().text().substring(0, 5_000), StandardCharsets.UTF_8);
        data = dir.resolve("data");
        Run r = run("prepare", "--input", text.toString(), "--out", data.toString());
        assertEquals(0, r.exitCode(), r.toString());
    }

    @Test
    void generateUsesThePreviousCheckpointWhileCkptIsBeingReplaced() throws Exception {
        Path out = dir.resolve("swap");
        Run train = run(with(new String[] {"pretrain", "--backend", "reference", "--data", data.toString(), "--out", out.toString(),
                "--max-iters", "2", "--eval-interval", "2"}, TINY));
        assertEquals(0, train.exitCode(), train.toString());
        Path ckpt = out.resolve("ckpt");
        Path aside = out.resolve(".ckpt.old-x1");
        Files.move(ckpt, aside); // the instant between the two renames of a checkpoint swap
        Run g = run("generate", "--backend", "reference", "--checkpoint", ckpt.toString(), "--max-new-tokens", "5", "--prompt", "A");
        assertEquals(0, g.exitCode(), g.toString());
        assertTrue(g.err().contains("note: " + ckpt + " is being replaced") && g.err().contains(aside.toString()), g.toString());
        assertEquals(1 + 5 + 1, g.out().length(), "prompt, 5 tokens and a newline: " + g);
    }
}
