package dev.llmforge.examples.cli;

import static dev.llmforge.examples.cli.CliSmokeTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.examples.cli.CliSmokeTest.Run;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pretrain shows its memory estimate, and refuses a run that cannot fit before building the model (a native crash before). */
class CliMemoryTest {
    @TempDir
    Path dir;

    @Test
    void aHugeBlockSizeIsRefusedWithTheEstimate() throws Exception {
        Path text = Files.writeString(dir.resolve("text.txt"), Corpus.tinyShakespeare().text().substring(0, 5_000), StandardCharsets.UTF_8);
        Path out = dir.resolve("run");
        Run r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> run("pretrain", "--input", text.toString(), "--out", out.toString(),
                "--n-layer", "1", "--n-head", "2", "--n-embd", "16", "--batch-size", "4096", "--block-size", "1000000", "--max-iters", "2"));
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.out().contains("memory: model ") && r.out().contains("activations at least "), "the estimate is shown: " + r);
        assertTrue(r.err().contains("error: pretraining (model ") && r.err().contains("lower --block-size or --batch-size"), r.toString());
        assertFalse(Files.exists(out.resolve("ckpt")), "nothing was trained");
    }
}
