package dev.llmforge.tck;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Which llmforge packages compiled classes refer to, read from their class files: every class
 * name in a class's constant pool (its imports, field and method types, calls) is stored as text
 * there, so a reference to another package shows as {@code dev/llmforge/<package>/<Class>}.
 * Comments and Javadoc leave no trace; string constants that spell a class name would count.
 */
final class ClassReferences {
    private static final Pattern LLMFORGE_CLASS = Pattern.compile("dev/llmforge/((?:[a-z0-9_]+/)*)[A-Z]");

    private ClassReferences() {
    }

    /**
     * For each class in {@code anchor}'s package and its sub-packages (from the directory or jar
     * {@code anchor} was loaded from), the {@code dev.llmforge} packages it refers to outside
     * {@code allowed} (package names; each also allows its sub-packages). Empty if every reference
     * stays inside {@code anchor}'s package tree or {@code allowed}.
     */
    static Map<String, Set<String>> outside(Class<?> anchor, Set<String> allowed) {
        String own = anchor.getPackageName();
        Map<String, Set<String>> found = new TreeMap<>();
        for (Map.Entry<String, byte[]> c : classFiles(anchor).entrySet()) {
            Set<String> bad = new TreeSet<>();
            Matcher m = LLMFORGE_CLASS.matcher(new String(c.getValue(), StandardCharsets.ISO_8859_1));
            while (m.find()) {
                String pkg = ("dev/llmforge/" + m.group(1)).replaceAll("/$", "").replace('/', '.');
                if (!within(pkg, own) && allowed.stream().noneMatch(a -> within(pkg, a))) {
                    bad.add(pkg);
                }
            }
            if (!bad.isEmpty()) {
                found.put(c.getKey(), bad);
            }
        }
        return found;
    }

    private static boolean within(String pkg, String root) {
        return pkg.equals(root) || pkg.startsWith(root + ".");
    }

    /** The class files of {@code anchor}'s package tree, by name, read from where {@code anchor} was loaded. */
    static Map<String, byte[]> classFiles(Class<?> anchor) {
        String prefix = anchor.getPackageName().replace('.', '/') + "/";
        Map<String, byte[]> files = new TreeMap<>();
        Path location;
        try {
            location = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("cannot tell where " + anchor.getName() + " was loaded from", e);
        }
        try {
            if (Files.isDirectory(location)) {
                List<Path> paths = new ArrayList<>();
                try (Stream<Path> walk = Files.walk(location.resolve(prefix))) {
                    walk.filter(p -> p.toString().endsWith(".class")).forEach(paths::add);
                }
                for (Path p : paths) {
                    files.put(location.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
                }
            } else {
                try (JarFile jar = new JarFile(location.toFile())) {
                    for (JarEntry e : (Iterable<JarEntry>) jar.stream()::iterator) {
                        if (e.getName().startsWith(prefix) && e.getName().endsWith(".class")) {
                            try (InputStream in = jar.getInputStream(e)) {
                                files.put(e.getName(), in.readAllBytes());
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the classes of " + prefix + " from " + location, e);
        }
        if (files.isEmpty()) {
            throw new IllegalStateException("no class files of " + prefix + " found in " + location);
        }
        return files;
    }
}
