package dev.llmforge.backend.nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.backend.nd4j.NativeJarVersions.Found;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class NativeJarVersionsTest {

    @Test
    void mixedVersionsAreReportedWithEachJarAndTheFix() {
        Optional<String> problem = NativeJarVersions.problem("org.bytedeco/javacpp", List.of(
                new Found("javacpp-1.5.7.jar", "1.5.7"), new Found("javacpp-1.5.11-linux-x86_64.jar", "1.5.11")));
        assertTrue(problem.isPresent());
        assertEquals("org.bytedeco:javacpp comes in several versions on the class path (1.5.7 in javacpp-1.5.7.jar, "
                + "1.5.11 in javacpp-1.5.11-linux-x86_64.jar); ND4J would fail loading its natives (UnsatisfiedLinkError). "
                + "Pin org.bytedeco:javacpp and its linux-x86_64 jar to one version in your dependencyManagement "
                + "(dev.llmforge:llmforge-bom pins javacpp and openblas)", problem.get());
    }

    @Test
    void oneVersionIsFine() {
        assertFalse(NativeJarVersions.problem("org.bytedeco/javacpp", List.of(
                new Found("javacpp-1.5.11.jar", "1.5.11"), new Found("javacpp-1.5.11-linux-x86_64.jar", "1.5.11"))).isPresent());
        assertFalse(NativeJarVersions.problem("org.bytedeco/javacpp", List.of()).isPresent());
    }

    /**
     * The pin holds on this module's class path: the Java jar and the linux-x86_64 jar of javacpp,
     * openblas and nd4j-native are each present, in exactly the version the root pom pins. Fails,
     * naming the jars, when a dependency change makes Maven mediate any of them differently.
     */
    @Test
    void theClassPathHoldsExactlyThePinnedVersions() throws IOException {
        Properties pinned = new Properties();
        try (InputStream in = NativeJarVersionsTest.class.getResourceAsStream("/pinned-versions.properties")) {
            pinned.load(in);
        }
        ClassLoader loader = NativeJarVersions.class.getClassLoader();
        for (String artifact : NativeJarVersions.CHECKED) {
            String want = pinned.getProperty(artifact);
            List<Found> found = NativeJarVersions.onClassPath(loader, artifact);
            assertTrue(want != null && !want.startsWith("$"), "no pinned version for " + artifact + " in pinned-versions.properties");
            assertTrue(found.size() >= 2, artifact + ": expected its Java jar and its linux-x86_64 jar, found " + found);
            for (Found f : found) {
                assertEquals(want, f.version(), artifact + " drifted from the pinned version " + want + ": " + found);
            }
        }
        assertEquals(Optional.empty(), NativeJarVersions.problem(loader));
    }
}
