package dev.llmforge.training;

import static dev.llmforge.training.TrainerTest.REFERENCE;
import static dev.llmforge.training.TrainerTest.tinyModel;
import static dev.llmforge.training.TrainerTest.tinyTraining;
import static dev.llmforge.training.TrainingFixtures.preparedShakespeareHead;
import static dev.llmforge.training.TrainingFixtures.stepLosses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.io.Checkpoint;
import dev.llmforge.model.Gpt;
import dev.llmforge.training.data.TokenData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Repeated trials: a run that writes a checkpoint after each of its {@value #STEPS} steps is killed
 * with SIGKILL ({@code kill -9}) in a separate process after a random step, in turn: a random
 * fraction of a step's time later; as soon as a checkpoint's temporary directory is seen (inside a
 * save) plus 0-3 ms; or, in a child that pauses {@value #SWAP_PAUSE_MILLIS} ms between the two
 * renames of every swap ({@link Checkpoint#SWAP_PAUSE_PROPERTY}), as soon as a checkpoint is seen
 * moved aside (between the renames). The last good checkpoint must load, and resuming from it must
 * give exactly the losses of an uninterrupted run.
 * {@code -Dtrials=N} (default 20). Figures in docs/RELIABILITY.md.
 */
@Tag("slow")
class KillDuringCheckpointTrials {
    static final int STEPS = 50;
    static final int SWAP_PAUSE_MILLIS = 200;

    @TempDir
    Path dir;

    static Pretraining.Builder run(TokenData data, Path out) {
        return Pretraining.builder().backend(REFERENCE).data(data).model(tinyModel(data.vocabSize(), 0.1))
                .config(tinyTraining().maxIters(STEPS).lrDecayIters(STEPS).evalInterval(1).evalIters(1).build()).outputDir(out);
    }

    /** The run to kill: {@code DATA_DIR OUT_DIR}. */
    public static void main(String[] args) throws Exception {
        try (Trainer t = run(TokenData.open(Path.of(args[0])), Path.of(args[1])).build()) {
            t.run();
        }
    }

    @Test
    void killedAtRandomMomentsTheRunResumesWithTheExactLosses() throws Exception {
        int trials = Integer.getInteger("trials", 20);
        TokenData data = preparedShakespeareHead(dir.resolve("data"));
        Path straight = dir.resolve("straight");
        long started = System.nanoTime();
        try (Trainer t = run(data, straight).build()) {
            t.run();
        }
        int stepMillis = (int) Math.max(1, (System.nanoTime() - started) / 1_000_000 / STEPS); // a step with its evaluation and checkpoints
        List<Double> expected = stepLosses(straight.resolve(Trainer.METRICS_FILE));
        assertEquals(STEPS, expected.size());

        SplittableRandom random = new SplittableRandom(Long.getLong("seed", 20));
        int fromMovedAside = 0;
        int withLeftovers = 0;
        int betweenRenames = 0;
        long[] killedAfter = new long[trials];
        for (int trial = 0; trial < trials; trial++) {
            Path out = dir.resolve("trial-" + trial);
            KillMoment moment = KillMoment.values()[trial % KillMoment.values().length];
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), "-D" + Checkpoint.SWAP_PAUSE_PROPERTY + "="
                    + (moment == KillMoment.BETWEEN_RENAMES ? SWAP_PAUSE_MILLIS : 0), KillDuringCheckpointTrials.class.getName(),
                    dir.resolve("data").toString(), out.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            int killAt = 2 + random.nextInt(STEPS - 3); // a step line after the first checkpoint, before the last
            Path metrics = out.resolve(Trainer.METRICS_FILE);
            while (child.isAlive() && stepLines(metrics) < killAt) {
                Thread.sleep(2);
            }
            switch (moment) {
                case IN_A_STEP -> Thread.sleep(random.nextInt(stepMillis)); // a random point within the step, its evaluation or its checkpoints
                case IN_A_SAVE -> {
                    while (child.isAlive() && !leftover(out, ".tmp-")) {
                        Thread.onSpinWait();
                    }
                    Thread.sleep(random.nextInt(4)); // inside the save: files being written, forced, or the directory swapped
                }
                case BETWEEN_RENAMES -> {
                    while (child.isAlive() && !leftover(out, ".old-")) {
                        Thread.onSpinWait();
                    }
                }
            }
            child.destroyForcibly(); // SIGKILL
            assertTrue(child.waitFor(1, TimeUnit.MINUTES));
            Path latest = out.resolve(Trainer.LATEST_DIR);
            Path from = TrainingCheckpoint.resumable(latest);
            fromMovedAside += from.toAbsolutePath().equals(latest.toAbsolutePath()) ? 0 : 1;
            try (var siblings = Files.list(out)) {
                withLeftovers += siblings.anyMatch(p -> p.getFileName().toString().startsWith(".ckpt.")
                        || p.getFileName().toString().startsWith(".best.")) ? 1 : 0;
            }
            killedAfter[trial] = TrainingCheckpoint.readState(from).step();
            betweenRenames += leftover(out, ".old-") ? 1 : 0;
            try (Gpt loaded = Checkpoint.loadModel(from, REFERENCE)) {
                assertEquals(tinyModel(data.vocabSize(), 0.1).nLayer(), loaded.config().nLayer(), "the last good checkpoint loads");
            }
            try (Trainer t = Pretraining.builder().backend(REFERENCE).data(data).resumeFrom(from).outputDir(out).build()) {
                t.run();
            }
            assertEquals(expected, stepLosses(metrics), "trial " + trial + ": resumed from step " + killedAfter[trial]);
            System.out.printf(Locale.ROOT, "[kill -9 trials] trial %d (%s): resumed from step %d%s, exact losses%n", trial, moment,
                    killedAfter[trial], from.toAbsolutePath().equals(latest.toAbsolutePath()) ? "" : " (moved aside)");
        }
        System.out.printf(Locale.ROOT, "[kill -9 trials] %d trials of %d checkpointed steps: every one resumed with the exact losses; "
                + "resumed from a moved-aside checkpoint %d times, leftovers of an interrupted write found %d times (a checkpoint moved "
                + "aside, killed between the renames of a swap: %d times); checkpoint steps at the kill: %s%n", trials, STEPS, fromMovedAside,
                withLeftovers, betweenRenames, java.util.Arrays.toString(killedAfter));
    }

    /** When in a trial the child is killed. */
    private enum KillMoment { IN_A_STEP, IN_A_SAVE, BETWEEN_RENAMES }

    /** True while {@code out} holds a directory whose name contains {@code marker}: {@code .tmp-} while a checkpoint is written, {@code .old-} between the renames of its swap. */
    private static boolean leftover(Path out, String marker) {
        try (var entries = Files.list(out)) {
            return entries.anyMatch(p -> p.getFileName().toString().contains(marker));
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static long stepLines(Path metrics) {
        try {
            return Files.readAllLines(metrics).stream().filter(l -> l.startsWith("{\"type\":\"step\"")).count();
        } catch (java.io.IOException e) {
            return 0; // not written yet, or being rewritten
        }
    }
}
