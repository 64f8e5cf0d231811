package dev.llmforge.backend.nd4j;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeSet;

/**
 * Checks that each artifact ND4J loads natives from comes in one version: its Java jar and its
 * native jar (classifier {@code linux-x86_64}) are separate Maven artifacts, mediated separately,
 * so a build can end up with, say, javacpp 1.5.7 and javacpp natives 1.5.11; ND4J then dies on
 * its first native call with {@code UnsatisfiedLinkError ... totalCores}. Every one of these jars
 * carries its Maven coordinates, so a mismatch is visible before any native library loads.
 */
final class NativeJarVersions {
    /** groupId/artifactId of the artifacts whose Java and native jars must agree. */
    static final List<String> CHECKED = List.of("org.bytedeco/javacpp", "org.bytedeco/openblas", "org.nd4j/nd4j-native");

    /** One jar of an artifact: where it was found and the version it names. */
    record Found(String jar, String version) {
    }

    private NativeJarVersions() {
    }

    /** Every jar of {@code artifact} ("groupId/artifactId") visible to {@code loader}. */
    static List<Found> onClassPath(ClassLoader loader, String artifact) {
        List<Found> found = new ArrayList<>();
        try {
            Enumeration<URL> urls = loader.getResources("META-INF/maven/" + artifact + "/pom.properties");
            while (urls.hasMoreElements()) {
                URL url = urls.nextElement();
                Properties p = new Properties();
                try (InputStream in = url.openStream()) {
                    p.load(in);
                }
                found.add(new Found(jarOf(url), p.getProperty("version", "?")));
            }
        } catch (IOException e) {
            found.add(new Found("(unreadable: " + e.getMessage() + ")", "?"));
        }
        return found;
    }

    /** The first artifact of {@link #CHECKED} whose jars disagree, explained; empty if all agree. */
    static Optional<String> problem(ClassLoader loader) {
        for (String artifact : CHECKED) {
            Optional<String> p = problem(artifact, onClassPath(loader, artifact));
            if (p.isPresent()) {
                return p;
            }
        }
        return Optional.empty();
    }

    /** Why these jars of {@code artifact} cannot work together, or empty if they name one version. */
    static Optional<String> problem(String artifact, List<Found> found) {
        TreeSet<String> versions = new TreeSet<>();
        for (Found f : found) {
            versions.add(f.version());
        }
        if (versions.size() <= 1) {
            return Optional.empty();
        }
        String coordinates = artifact.replace('/', ':');
        StringBuilder sb = new StringBuilder(coordinates).append(" comes in several versions on the class path (");
        for (int i = 0; i < found.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(found.get(i).version()).append(" in ").append(found.get(i).jar());
        }
        return Optional.of(sb.append("); ND4J would fail loading its natives (UnsatisfiedLinkError). Pin ").append(coordinates)
                .append(" and its linux-x86_64 jar to one version in your dependencyManagement (dev.llmforge:llmforge-bom pins ")
                .append("javacpp and openblas)").toString());
    }

    private static String jarOf(URL url) {
        String s = url.toString();
        int bang = s.indexOf("!/");
        String path = bang >= 0 ? s.substring(0, bang) : s;
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
