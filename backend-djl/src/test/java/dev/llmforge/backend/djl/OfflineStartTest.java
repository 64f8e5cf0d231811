package dev.llmforge.backend.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The backend starts without the network and without DJL calling home, with none of the DJL
 * settings given: each case runs {@link OfflineStartProbe} in a fresh JVM (DJL reads its settings
 * once per JVM), with OPT_OUT_TRACKING and DJL_OFFLINE removed from the environment.
 */
class OfflineStartTest {

    @Test
    void startsOfflineAndOptsOutOfTrackingUnlessTheUserSaidOtherwise() throws Exception {
        String out = runProbe();
        assertTrue(out.contains("result=[4.0, 6.0]"), out);
        assertTrue(out.contains("OPT_OUT_TRACKING=true"), out);
        assertTrue(out.contains("ai.djl.offline=true"), out);
        assertTrue(out.contains("network=[]"), "the backend tried to reach the network:\n" + out);
    }

    /**
     * The control: when the user explicitly allows tracking and online mode, the provider leaves both
     * alone and DJL does try the cloud metadata address, which shows the probe sees such attempts.
     */
    @Test
    void respectsTheUsersOwnSettingsAndTheProbeSeesDjlCallingHome() throws Exception {
        String out = runProbe("-DOPT_OUT_TRACKING=false", "-Dai.djl.offline=false");
        assertTrue(out.contains("result=[4.0, 6.0]"), out);
        assertTrue(out.contains("OPT_OUT_TRACKING=false"), out);
        assertTrue(out.contains("ai.djl.offline=false"), out);
        assertTrue(out.contains("169.254.169.254"), "expected DJL's call home to be seen:\n" + out);
    }

    @Test
    void threadsComeFromTheProperty() throws Exception {
        String out = runProbe("-Dllmforge.threads=1");
        assertTrue(out.contains("threads=1"), out);
    }

    private static String runProbe(String... jvmOptions) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(OfflineStartProbe.class.getName());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.remove("OPT_OUT_TRACKING");
        env.remove("DJL_OFFLINE");
        Process p = pb.start();
        byte[] output = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe JVM did not finish");
        String text = new String(output, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        return text;
    }
}
