package dev.llmforge.examples.cli;

import static dev.llmforge.examples.cli.CliSmokeTest.run;
import static dev.llmforge.examples.cli.CliSmokeTest.stepLosses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.distributed.LocalCollective;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingCheckpoint;
import dev.llmforge.training.TrainingConfig;
import dev.llmforge.training.TrainingResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job {@code llmforge sft --replicas 2} sends to Spark, run on two threads over core's
 * {@code LocalCollective} instead of two Spark tasks: it follows the single-machine command when every
 * replica's share of a batch has as many answer tokens (with answers of different lengths the update is
 * the mean of the replicas' token means, not the global token mean: see spark/README.md).
 */
class SftJobTest {
    @TempDir
    Path dir;

    @Test
    void twoReplicasFollowTheSingleMachineCommand() throws Exception {
        StringBuilder records = new StringBuilder();
        StringBuilder text = new StringBuilder();
        for (int a = 0; a < 6; a++) { // single digits: every answer has as many tokens, so each replica's masked mean weighs the same
            for (int b = 0; b < 4; b++) {
                records.append(String.format("{\"prompt\":\"%d+%d?\",\"completion\":\"The answer is %d.\"}%n", a, b, a + b));
                text.append(String.format("Q: %d+%d?%nA: The answer is %d.%n%n", a, b, a + b));
            }
        }
        Path data = Files.writeString(dir.resolve("sums.jsonl"), records.toString(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("base.txt"), text.toString().repeat(4), StandardCharsets.UTF_8);
        Path base = dir.resolve("base");
        CliSmokeTest.Run pretrain = run("pretrain", "--input", dir.resolve("base.txt").toString(), "--out", base.toString(), "--backend", "reference",
                "--n-layer", "1", "--n-head", "2", "--n-embd", "16", "--block-size", "32", "--dropout", "0", "--batch-size", "4", "--max-iters", "2",
                "--eval-interval", "2", "--eval-iters", "1");
        assertEquals(0, pretrain.exitCode(), pretrain.toString());
        Path from = base.resolve(Trainer.BEST_DIR);

        Path one = dir.resolve("one");
        CliSmokeTest.Run single = run("sft", "--from", from.toString(), "--data", data.toString(), "--out", one.toString(), "--backend", "reference",
                "--batch-size", "4", "--max-iters", "6", "--eval-interval", "3", "--eval-iters", "1", "--eval-answers", "0", "--lr", "3e-3",
                "--warmup-iters", "1", "--lr-decay-iters", "6");
        assertEquals(0, single.exitCode(), single.toString());
        TrainingConfig training = TrainingCheckpoint.readState(one.resolve(Trainer.LATEST_DIR)).config(); // what the command built: global batch 4

        Path two = dir.resolve("two");
        SftJob job = new SftJob("reference", 1, from.toString(), null, List.of(data.toString()), List.of(), 0.05, null, "qa", "assistant", false, false, 0, 128,
                two.toString(), training, null, false, 2);
        List<TrainingResult> replicas = LocalCollective.run(2, Duration.ofMinutes(2), job);
        List<Double> expected = stepLosses(one.resolve(Trainer.METRICS_FILE));
        List<Double> losses = stepLosses(two.resolve(Trainer.METRICS_FILE));
        assertEquals(6, losses.size(), "rank 0 wrote one line per step");
        for (int s = 0; s < 6; s++) {
            assertEquals(expected.get(s), losses.get(s), 1e-5, "loss of step " + (s + 1));
        }
        assertEquals(replicas.get(0).lastEval(), replicas.get(1).lastEval(), "every replica reports the same global evaluation");
        assertTrue(TrainingCheckpoint.exists(two.resolve(Trainer.LATEST_DIR)), "rank 0 wrote the checkpoint");
    }

    @Test
    void withoutTheSparkModuleTheCommandSaysHowToAddIt() {
        CliSmokeTest.Run r = run("sft", "--from", dir.resolve("base").toString(), "--data", dir.resolve("x.jsonl").toString(), "--out",
                dir.resolve("out").toString(), "--backend", "reference", "--replicas", "2");
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains(SparkOptions.HOW_TO_ADD), r.toString());
    }
}
