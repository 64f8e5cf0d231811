package dev.llmforge.training;

import static dev.llmforge.training.TrainerTest.REFERENCE;
import static dev.llmforge.training.TrainerTest.tinyModel;
import static dev.llmforge.training.TrainerTest.tinyTraining;
import static dev.llmforge.training.TrainingFixtures.preparedShakespeareHead;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.training.data.TokenData;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two runs on one output directory: the second refuses, naming the process that holds it. */
class OutputLockTest {
    @TempDir
    Path dir;

    /** Holds the lock of the directory given as argument until its standard input closes (run as a separate process). */
    public static void main(String[] args) throws Exception {
        try (OutputLock ignored = OutputLock.acquire(Path.of(args[0]))) {
            System.out.println("locked");
            System.out.flush();
            System.in.read();
        }
    }

    @Test
    void aSecondTrainerOnTheSameOutputRefusesUntilTheFirstIsClosed() throws Exception {
        TokenData data = preparedShakespeareHead(dir.resolve("data"));
        Path out = dir.resolve("run");
        Pretraining.Builder run = Pretraining.builder().backend(REFERENCE).data(data).model(tinyModel(data.vocabSize(), 0))
                .config(tinyTraining().maxIters(2).build()).outputDir(out).overwrite(true);
        try (Trainer first = run.build()) {
            var e = assertThrows(OutputDirectoryException.class, () -> Pretraining.builder().backend(REFERENCE).data(data)
                    .model(tinyModel(data.vocabSize(), 0)).config(tinyTraining().maxIters(2).build()).outputDir(out).overwrite(true).build());
            assertTrue(e.getMessage().contains(out + " is in use by another run (process " + ProcessHandle.current().pid()), e.getMessage());
            first.run();
        }
        try (Trainer second = Pretraining.builder().backend(REFERENCE).data(data).resumeFrom(out.resolve(Trainer.LATEST_DIR)).outputDir(out)
                .config(tinyTraining().maxIters(4).build()).build()) {
            assertEquals(4, second.run().lastStep(), "the lock is free once the first trainer is closed");
        }
    }

    @Test
    void anotherProcessHoldingTheLockIsNamedAndItsKillReleasesIt() throws Exception {
        Path out = dir.resolve("run");
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), OutputLockTest.class.getName(), out.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader said = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", said.readLine());
            var e = assertThrows(OutputDirectoryException.class, () -> OutputLock.acquire(out));
            assertTrue(e.getMessage().contains("(process " + holder.pid() + ", lock file " + out.resolve(OutputLock.FILE)), e.getMessage());
        } finally {
            holder.destroyForcibly(); // kill -9: the operating system drops the lock with the process
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
        }
        OutputLock.acquire(out).close();
    }
}
