package dev.llmforge.examples.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/** The text a run is prepared from: a file, or Tiny Shakespeare shipped in this module's resources. */
record Corpus(String name, String stem, String text) {
    static final String TINY_SHAKESPEARE = "/data/tinyshakespeare/input.txt";

    /** Tiny Shakespeare (karpathy/char-rnn, 1,115,394 bytes; see data/DATA.md). */
    static Corpus tinyShakespeare() throws IOException {
        try (InputStream in = Corpus.class.getResourceAsStream(TINY_SHAKESPEARE)) {
            if (in == null) {
                throw new IOException("Tiny Shakespeare is missing from the class path (" + TINY_SHAKESPEARE + ")");
            }
            return new Corpus("Tiny Shakespeare (bundled)", "shakespeare", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** A UTF-8 text file, or Tiny Shakespeare if {@code file} is null. */
    static Corpus of(Path file) throws IOException {
        if (file == null) {
            return tinyShakespeare();
        }
        String text = TextFiles.readUtf8(file, "input file");
        if (text.isEmpty()) {
            throw new IOException("input file " + file + " is empty");
        }
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return new Corpus(file.toString(), (dot > 0 ? name.substring(0, dot) : name).toLowerCase(Locale.ROOT), text);
    }

    /** The default output directory for this corpus and tokenizer: {@code out/shakespeare-char}, {@code out/notes-bpe4096}. */
    Path defaultOutput(String tokenizerSpec) {
        return Path.of("out", stem + "-" + tokenizerSpec.trim().toLowerCase(Locale.ROOT).replace(":", ""));
    }
}
