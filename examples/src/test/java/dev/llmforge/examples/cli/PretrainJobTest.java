package dev.llmforge.examples.cli;

import static dev.llmforge.examples.cli.CliSmokeTest.TINY;
import static dev.llmforge.examples.cli.CliSmokeTest.run;
import static dev.llmforge.examples.cli.CliSmokeTest.stepLosses;
import static dev.llmforge.examples.cli.CliSmokeTest.with;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmforge.distributed.LocalCollective;
import dev.llmforge.distributed.Replica;
import dev.llmforge.io.Checkpoint;
import dev.llmforge.model.GptConfig;
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
 * The job {@code llmforge pretrain --replicas 2} sends to Spark, run on two threads over core's
 * {@code LocalCollective} instead of two Spark tasks: it follows the single-machine command, and an
 * attempt after the first (as Spark retries a failed stage) resumes from rank 0's checkpoint.
 */
class PretrainJobTest {
    @TempDir
    Path dir;

    @Test
    void twoReplicasFollowTheSingleMachineCommandAndARetriedAttemptResumes() throws Exception {
        Path text = dir.resolve("head.txt");
        Files.writeString(text, Corpus.tinyShakespeare().text().substring(0, 20_000), StandardCharsets.UTF_8);
        Path data = dir.resolve("data");
        assertEquals(0, run("prepare", "--input", text.toString(), "--out", data.toString()).exitCode());
        Path one = dir.resolve("one");
        CliSmokeTest.Run single = run(with(new String[] {"pretrain", "--data", data.toString(), "--out", one.toString(), "--backend", "reference",
                "--max-iters", "6", "--eval-interval", "3"}, TINY));
        assertEquals(0, single.exitCode(), single.toString());
        GptConfig model = Checkpoint.loadConfig(one.resolve("ckpt"));
        TrainingConfig training = TrainingCheckpoint.readState(one.resolve("ckpt")).config(); // what the command built: global batch 4

        Path two = dir.resolve("two");
        PretrainJob job = new PretrainJob("reference", 1, data.toString(), two.toString(), model, training, null, false, 2);
        List<TrainingResult> replicas = LocalCollective.run(2, Duration.ofMinutes(2), job);
        List<Double> expected = stepLosses(one.resolve("metrics.jsonl"));
        List<Double> losses = stepLosses(two.resolve("metrics.jsonl"));
        assertEquals(6, losses.size(), "rank 0 wrote one line per step");
        for (int s = 0; s < 6; s++) {
            assertEquals(expected.get(s), losses.get(s), 1e-5, "loss of step " + (s + 1));
        }
        assertEquals(replicas.get(0).lastEval(), replicas.get(1).lastEval(), "every replica reports the same global evaluation");

        PretrainJob longer = new PretrainJob("reference", 1, data.toString(), two.toString(), model, training.toBuilder().maxIters(8).build(),
                null, false, 2);
        List<TrainingResult> retried = LocalCollective.run(2, Duration.ofMinutes(2),
                r -> longer.run(new Replica(r.rank(), r.replicas(), r.collective(), 1))); // the stage's second attempt
        assertEquals(6, retried.get(0).firstStep(), "resumed from the checkpoint at step 6");
        assertEquals(8, retried.get(0).lastStep());
        List<Double> continued = stepLosses(two.resolve("metrics.jsonl"));
        assertEquals(8, continued.size());
        assertEquals(losses, continued.subList(0, 6));
    }
}
