package dev.llmforge.backend.nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * ND4J calls {@code omp_set_num_threads} with the core count when it starts, and OpenMP keeps that
 * setting per thread and shares it with every OpenMP user of the thread: started on the caller's
 * thread, ND4J changed PyTorch's intra-op threads from 1 to 2 (and made the DJL backend's steps up
 * to ten times slower on a busy machine). The backend starts ND4J on a thread of its own; this
 * checks it in a fresh JVM (ND4J starts once per JVM) with the DJL backend created first.
 */
class OpenMpIsolationTest {

    @Test
    void startingNd4jLeavesPyTorchsThreadCountAlone() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(List.of(java.toString(), "-Dllmforge.threads=1", "-cp",
                System.getProperty("java.class.path"), Nd4jAfterDjlMain.class.getName())).redirectErrorStream(true);
        pb.environment().put("OPT_OUT_TRACKING", "true");
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM did not finish");
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("pytorch threads 1 -> 1"), "PyTorch's threads changed when ND4J started:\n" + output);
    }
}
