package dev.llmforge.training;

import static dev.llmforge.training.TrainerTest.REFERENCE;
import static dev.llmforge.training.TrainerTest.tinyModel;
import static dev.llmforge.training.TrainerTest.tinyTraining;
import static dev.llmforge.training.TrainingFixtures.fileNames;
import static dev.llmforge.training.TrainingFixtures.preparedShakespeareHead;
import static dev.llmforge.training.TrainingFixtures.stepLosses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.llmforge.training.TrainingFixtures.Recorder;
import dev.llmforge.training.data.TokenData;
import dev.llmforge.training.metrics.TrainingListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What interrupted writes, odd output directories and failing charts leave behind, and what a later run makes of it. */
class CheckpointSafetyTest {
    @TempDir
    Path dir;
    private TokenData data;

    /** Tiny Shakespeare's head, prepared on first use. */
    private TokenData data() throws Exception {
        if (data == null) {
            data = preparedShakespeareHead(dir.resolve("data"));
        }
        return data;
    }

    private Pretraining.Builder run(Path out, long maxIters) throws Exception {
        return Pretraining.builder().backend(REFERENCE).data(data()).model(tinyModel(data().vocabSize(), 0))
                .config(tinyTraining().maxIters(maxIters).build()).outputDir(out);
    }

    private Pretraining.Builder resume(Path out, long maxIters) throws Exception {
        return Pretraining.builder().backend(REFERENCE).data(data()).config(tinyTraining().maxIters(maxIters).build())
                .resumeFrom(out.resolve(Trainer.LATEST_DIR)).outputDir(out);
    }

    @Test
    void leftoversAreRemovedAndAnEarlierRunsMovedAsideCheckpointIsNeverResumed() throws Exception {
        Path out = dir.resolve("run");
        try (Trainer t = run(out, 4).build()) {
            t.run();
        }
        // killed between the two renames of a swap, and while writing a temporary directory
        Files.move(out.resolve(Trainer.LATEST_DIR), out.resolve(".ckpt.old-earlier"));
        Files.createDirectories(out.resolve(".ckpt.tmp-torn"));
        Files.writeString(out.resolve(".ckpt.tmp-torn/model.safetensors"), "half");

        var refused = assertThrows(OutputDirectoryException.class, () -> run(out, 4).build());
        assertTrue(refused.getMessage().contains(".ckpt.old-earlier, moved aside by an interrupted write of") && refused.getMessage()
                .contains("(step 4) of an earlier run"), refused.getMessage());

        try (Trainer t = run(out, 2).overwrite(true).build()) {
            assertEquals(Set.of("best", "metrics.jsonl", "loss.png", OutputLock.FILE).containsAll(fileNames(out)), true,
                    "the earlier run's leftovers are gone before the new run starts: " + fileNames(out));
            t.run();
        }
        assertEquals(2, TrainingCheckpoint.readState(TrainingCheckpoint.resumable(out.resolve(Trainer.LATEST_DIR))).step());

        // resuming from this run's own moved-aside checkpoint keeps it until the run has written a new one
        Files.move(out.resolve(Trainer.LATEST_DIR), out.resolve(".ckpt.old-mine"));
        Files.createDirectories(out.resolve(".best.tmp-torn"));
        try (Trainer t = Pretraining.builder().backend(REFERENCE).data(data()).resumeFrom(TrainingCheckpoint.resumable(out.resolve(
                Trainer.LATEST_DIR))).outputDir(out).build()) {
            assertEquals(2, t.step());
            assertTrue(Files.isDirectory(out.resolve(".ckpt.old-mine")));
            assertFalse(Files.exists(out.resolve(".best.tmp-torn")));
        }
    }

    @Test
    void aFailureBetweenBestAndLatestLeavesThemAgreeing() throws Exception {
        Path out = dir.resolve("run");
        Recorder evals = new Recorder();
        TrainingListener dieAtStep8 = new TrainingListener() {
            @Override
            public void onCheckpoint(long step, Path where, boolean best) {
                if (step == 8) {
                    throw new IllegalStateException("killed after writing " + where.getFileName() + " (injected)");
                }
            }
        };
        try (Trainer t = run(out, 8).listener(evals).listener(dieAtStep8).build()) {
            var e = assertThrows(IllegalStateException.class, t::run);
            assertTrue(e.getMessage().contains("injected"), e.getMessage());
        }
        double val4 = evals.evals.get(1).get("val_loss");
        double val8 = evals.evals.get(2).get("val_loss");
        assertTrue(val8 < val4, "step 8 is a new best, so both directories are written at step 8: " + evals.evals);

        TrainingState latest = TrainingCheckpoint.readState(out.resolve(Trainer.LATEST_DIR));
        TrainingState best = TrainingCheckpoint.readState(out.resolve(Trainer.BEST_DIR));
        assertTrue(latest.step() < best.step() || latest.bestValue() == best.bestValue(),
                "ckpt/ never records a best value that best/ does not hold: ckpt at " + latest.step() + " (best " + latest.bestValue()
                        + "), best at " + best.step() + " (" + best.bestValue() + ")");

        try (Trainer t = resume(out, 8).build()) {
            t.run();
        }
        assertEquals(TrainingCheckpoint.readState(out.resolve(Trainer.LATEST_DIR)).bestValue(),
                TrainingCheckpoint.readState(out.resolve(Trainer.BEST_DIR)).bestValue(), "resuming writes both again");
    }

    @Test
    void filesAndDirectoriesFollowTheUmask() throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path out = dir.resolve("run");
        try (Trainer t = run(out, 4).build()) {
            t.run();
        }
        Set<PosixFilePermission> file = Files.getPosixFilePermissions(Files.createFile(dir.resolve("plain-file")));
        Set<PosixFilePermission> directory = Files.getPosixFilePermissions(Files.createDirectory(dir.resolve("plain-dir")));
        assumeTrue(!file.equals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)),
                "a umask of 077 cannot tell owner-only files from umask files");
        for (String name : new String[] {"ckpt/model.safetensors", "ckpt/trainer.json", "ckpt/optimizer.safetensors", "best/config.json",
                "metrics.jsonl", "loss.png"}) {
            assertEquals(file, Files.getPosixFilePermissions(out.resolve(name)), name);
        }
        for (String name : new String[] {"data/train.bin", "data/meta.json", "data/meta.pkl"}) {
            assertEquals(file, Files.getPosixFilePermissions(dir.resolve(name)), name);
        }
        assertEquals(directory, Files.getPosixFilePermissions(out.resolve("ckpt")));
        assertEquals(directory, Files.getPosixFilePermissions(out.resolve("best")));
    }

    @Test
    void aSymlinkedCheckpointDirectoryStaysALink() throws Exception {
        Path out = dir.resolve("run");
        Path elsewhere = Files.createDirectories(dir.resolve("big-disk/ckpt"));
        Files.createDirectories(out);
        Files.createSymbolicLink(out.resolve(Trainer.LATEST_DIR), elsewhere);
        try (Trainer t = run(out, 4).build()) {
            t.run();
        }
        assertTrue(Files.isSymbolicLink(out.resolve(Trainer.LATEST_DIR)));
        assertEquals(4, TrainingCheckpoint.readState(elsewhere).step(), "written where the link points");
        try (Trainer t = resume(out, 8).build()) {
            t.run();
        }
        assertTrue(Files.isSymbolicLink(out.resolve(Trainer.LATEST_DIR)));
        assertEquals(8, TrainingCheckpoint.readState(elsewhere).step());
        try (var s = Files.list(elsewhere.getParent())) {
            assertEquals(1, s.count(), "no temporary or old directories left next to the link's target");
        }
        Path aside = elsewhere.resolveSibling(".ckpt.old-killed");
        Files.move(elsewhere, aside); // killed between the two renames of a swap through the link
        assertEquals(aside, TrainingCheckpoint.resumable(out.resolve(Trainer.LATEST_DIR)), "found next to the link's target");

        Path toAFile = dir.resolve("to-a-file");
        Files.createDirectories(toAFile);
        Files.createSymbolicLink(toAFile.resolve(Trainer.LATEST_DIR), Files.writeString(dir.resolve("a-file"), "not a directory"));
        try (Trainer t = run(toAFile, 4).build()) {
            var e = assertThrows(java.io.UncheckedIOException.class, t::run);
            assertTrue(e.getCause().getMessage().contains("is a symbolic link to") && e.getCause().getMessage().contains("not a directory"),
                    e.getCause().getMessage());
        }
    }

    @Test
    void aTornLastLineOfTheMetricsDoesNotBlockResume() throws Exception {
        Path out = dir.resolve("run");
        try (Trainer t = run(out, 4).build()) {
            t.run();
        }
        Path metrics = out.resolve(Trainer.METRICS_FILE);
        Files.writeString(metrics, "{\"type\":\"step\",\"step\":5,\"lo", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        try (Trainer t = resume(out, 8).build()) {
            t.run();
        }
        assertEquals(8, stepLosses(metrics).size(), "the torn line dropped, steps 5-8 appended whole");

        Files.writeString(metrics, "not json\n" + Files.readString(metrics), StandardCharsets.UTF_8);
        var e = assertThrows(IOException.class, () -> resume(out, 12).build());
        assertTrue(e.getMessage().contains("line 1: not a JSON object"), "only the last line may be torn: " + e.getMessage());
    }

    @Test
    void aChartThatCannotBeDrawnIsAWarningAndTheCheckpointIsWritten() throws Exception {
        Path out = dir.resolve("run");
        try (Trainer t = run(out, 4).build()) {
            Files.createDirectories(out.resolve(Trainer.CHART_FILE).resolve("in-the-way")); // the chart cannot be moved into place
            TrainingResult r = t.run();
            assertEquals(4, r.lastStep());
        }
        assertEquals(4, TrainingCheckpoint.readState(out.resolve(Trainer.LATEST_DIR)).step());
    }
}
