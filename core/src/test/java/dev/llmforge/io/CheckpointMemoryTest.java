package dev.llmforge.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.model.InsufficientMemoryException;
import dev.llmforge.model.MemoryBudget;
import dev.llmforge.model.TinyModels;
import dev.llmforge.tensor.DType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint that its files describe correctly but whose model cannot fit in memory is refused by
 * {@link Checkpoint#loadModel} with both figures, before the model is built. It is loaded in a child
 * JVM with a heap of {@value #CHILD_HEAP_MB} MiB: the model takes about 50 MiB on the reference
 * backend (8 bytes an element), so building it would end in an {@link OutOfMemoryError}.
 */
class CheckpointMemoryTest {
    private static final int CHILD_HEAP_MB = 32;

    @TempDir
    Path dir;

    /** Loads the checkpoint {@code args[0]} on the reference backend; prints the refusal, or "loaded". */
    public static void main(String[] args) throws IOException {
        try (Gpt ignored = Checkpoint.loadModel(Path.of(args[0]), TinyModels.reference())) {
            System.out.println("loaded");
        } catch (InsufficientMemoryException e) {
            System.out.println("refused: " + e.getMessage());
        }
    }

    @Test
    void aModelLargerThanTheFreeHeapIsRefusedBeforeItIsBuilt() throws Exception {
        GptConfig config = GptConfig.gpt2(65, 64, 2, 4, 512); // 6.4M parameters: 25 MiB on disk, 50 MiB on the reference backend
        Path ckpt = dir.resolve("ckpt");
        try (Gpt model = new Gpt(config, TinyModels.reference(), 1)) {
            Checkpoint.save(ckpt, model);
        }
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + CHILD_HEAP_MB + "m", "-cp",
                System.getProperty("java.class.path"), CheckpointMemoryTest.class.getName(), ckpt.toString()).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(1, TimeUnit.MINUTES), "the child ends");
        assertEquals(0, child.exitValue(), output);
        assertTrue(output.contains("refused: the model of " + ckpt.resolve(Checkpoint.CONFIG) + " needs about "
                + MemoryBudget.format(MemoryBudget.modelBytes(config, DType.F32, TinyModels.reference())))
                && output.contains(MemoryBudget.describeAvailable(TinyModels.reference())), output);
    }
}
