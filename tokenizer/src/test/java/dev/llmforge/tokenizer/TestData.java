package dev.llmforge.tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/** The files under src/test/resources/data (see DATA.md there), and texts the tests share. */
public final class TestData {
    private TestData() {
    }

    public static Path path(String relative) {
        URL url = TestData.class.getResource("/data/" + relative);
        if (url == null) {
            throw new IllegalStateException("test resource data/" + relative + " is missing");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String read(String relative) {
        try {
            return Files.readString(path(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String shakespeare() {
        return ShakespeareHolder.TEXT;
    }

    private static final class ShakespeareHolder {
        static final String TEXT = read("tinyshakespeare/input.txt");
    }

    public static Path gpt2File(String name) {
        return path("gpt2-tokenizer/" + name);
    }

    /** cl100k_base, loaded once for all tests. */
    public static BpeTokenizer cl100k() {
        return Cl100kHolder.TOKENIZER;
    }

    private static final class Cl100kHolder {
        static final BpeTokenizer TOKENIZER = load();

        private static BpeTokenizer load() {
            try {
                return BpeTokenizer.cl100kBase(gpt2File("cl100k_base.tiktoken"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** What UTF-8 can carry of {@code text}: each lone surrogate becomes U+FFFD. */
    public static String withLoneSurrogatesReplaced(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(++i));
            } else {
                out.append(Character.isSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return out.toString();
    }
}
