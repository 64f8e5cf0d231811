package dev.llmforge.alignment.data;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Files for the tests: written to a temporary folder, or the real data samples in the test resources. */
final class DataFiles {
    private DataFiles() {
    }

    static Path write(Path folder, String name, String... lines) {
        try {
            return Files.writeString(folder.resolve(name), String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path writeGzip(Path folder, String name, String... lines) {
        Path file = folder.resolve(name);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** A copied sample of the real data, e.g. {@code "gsm8k/train-first200.jsonl"}; see DATA.md beside them. */
    static Path sample(String path) {
        try {
            return Path.of(DataFiles.class.getResource("/data/" + path).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
