package dev.llmforge.backend.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A recorded forward's backward must not leave native memory behind. Until 2026-12-07 the kernels asked
 * PyTorch whether a recorded graph was already differentiated by reading the leaf's gradient through DJL,
 * whose {@code torchGrad} allocates a handle before it finds there is no gradient and then never frees it:
 * a 32-byte block of glibc's heap per layer norm, GELU and attention of every training step. The blocks
 * are few bytes, but they stay among the step's freed tensors, so glibc's heap could not merge its free
 * space and grew by about 3 KiB a step (docs/RELIABILITY.md, "Resident memory over many small steps").
 *
 * <p>{@link RecordedBackwardMemoryProbe} counts glibc's heap in use ({@code mallinfo2}) around rounds of
 * backward passes in a JVM of its own, with only the quick compiler and a fixed serial heap so that the JVM's
 * own allocations stay out of most rounds; the median round must grow by less than half a block per call.
 */
class RecordedBackwardNativeMemoryTest {
    private static final int CALLS_PER_ROUND = 2_000;
    private static final int ROUNDS = 5;
    private static final double MAX_BYTES_PER_CALL = 16;
    private static final Pattern RESULT = Pattern.compile("bytesPerCall=\\[(.*)]");

    @Test
    void aLayerNormBackwardLeavesNoNativeMemoryBehind() throws Exception {
        assumeTrue(GlibC.load() != null, "glibc on Linux only");
        String out = runProbe();
        assumeTrue(!out.contains("no mallinfo2"), "glibc before 2.33 has no mallinfo2");
        Matcher m = RESULT.matcher(out);
        assertTrue(m.find(), out);
        double[] bytesPerCall = Arrays.stream(m.group(1).split(", ")).mapToDouble(Double::parseDouble).toArray();
        double[] sorted = bytesPerCall.clone();
        Arrays.sort(sorted);
        assertTrue(sorted[ROUNDS / 2] < MAX_BYTES_PER_CALL, "glibc's heap in use grew by " + Arrays.toString(bytesPerCall)
                + " bytes per layer-norm forward and backward in " + ROUNDS + " rounds of " + CALLS_PER_ROUND + " (median above "
                + MAX_BYTES_PER_CALL + "): native memory is left behind by each call");
    }

    private static String runProbe() throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xms64m", "-Xmx64m", "-Dllmforge.threads=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
                RecordedBackwardMemoryProbe.class.getName(), String.valueOf(CALLS_PER_ROUND), String.valueOf(ROUNDS)));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe JVM did not finish");
        String text = new String(output, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        return text;
    }
}
