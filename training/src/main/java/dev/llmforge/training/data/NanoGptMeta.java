package dev.llmforge.training.data;

import dev.llmforge.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * nanoGPT's {@code meta.pkl} for character-level data: {@code vocab_size}, {@code itos} (id → char)
 * and {@code stoi} (char → id).
 */
public record NanoGptMeta(int vocabSize, List<String> itos) {
    public NanoGptMeta {
        if (itos.size() != vocabSize) {
            throw new IllegalArgumentException("meta: vocab_size " + vocabSize + " but " + itos.size() + " symbols");
        }
        itos = List.copyOf(itos);
    }

    /** The largest {@code meta.pkl} read: a character table of 65,536 entries takes well under 2 MB. */
    static final long MAX_FILE_BYTES = 16L << 20;
    /** uint16 token files hold ids below 65,536. */
    static final int MAX_VOCAB_SIZE = 65536;

    public static NanoGptMeta read(Path file) throws IOException {
        long bytes = Files.size(file);
        if (bytes > MAX_FILE_BYTES) {
            throw new IOException("nanoGPT meta " + file + " has " + bytes + " bytes, more than a character table needs (at most "
                    + MAX_FILE_BYTES + ")");
        }
        Object root;
        try {
            root = Pickle.read(Files.readAllBytes(file));
        } catch (IllegalArgumentException e) {
            throw new IOException("cannot read nanoGPT meta " + file + ": " + e.getMessage(), e);
        }
        if (!(root instanceof Map<?, ?> m)) {
            throw new IOException("nanoGPT meta " + file + " is a pickled " + Pickle.typeName(root) + ", expected a dict");
        }
        Object vs = m.get("vocab_size");
        Object itos = m.get("itos");
        if (!(vs instanceof Long n) || !(itos instanceof Map<?, ?> table)) {
            throw new IOException("nanoGPT meta " + file + " needs int 'vocab_size' and dict 'itos', found 'vocab_size' of type "
                    + Pickle.typeName(vs) + " and 'itos' of type " + Pickle.typeName(itos));
        }
        if (n < 1 || n > MAX_VOCAB_SIZE) {
            throw new IOException("nanoGPT meta " + file + ": vocab_size " + n + " is out of range: expected 1 to " + MAX_VOCAB_SIZE
                    + " (the ids of uint16 token files)");
        }
        if (table.size() != n) {
            throw new IOException("nanoGPT meta " + file + ": vocab_size " + n + " but itos has " + table.size() + " entries");
        }
        String[] symbols = new String[n.intValue()];
        for (Map.Entry<?, ?> e : table.entrySet()) {
            if (!(e.getKey() instanceof Long id) || !(e.getValue() instanceof String s) || id < 0 || id >= symbols.length) {
                throw new IOException("nanoGPT meta " + file + ": bad itos entry: expected an int id below " + symbols.length
                        + " mapped to a str, found " + describeKey(e.getKey()) + " -> " + Pickle.typeName(e.getValue()));
            }
            symbols[id.intValue()] = s;
        }
        for (int i = 0; i < symbols.length; i++) {
            if (symbols[i] == null) {
                throw new IOException("nanoGPT meta " + file + ": itos has no entry for id " + i);
            }
        }
        return new NanoGptMeta(symbols.length, List.of(symbols));
    }

    private static String describeKey(Object key) {
        return key instanceof Long id ? "int " + id : Pickle.typeName(key);
    }

    /** Writes the pickle atomically, readable by nanoGPT's {@code pickle.load}. */
    public void write(Path file) throws IOException {
        Map<Object, Object> itosMap = new LinkedHashMap<>();
        Map<Object, Object> stoi = new LinkedHashMap<>();
        for (int i = 0; i < itos.size(); i++) {
            itosMap.put(i, itos.get(i));
            stoi.put(itos.get(i), i);
        }
        Map<Object, Object> root = new LinkedHashMap<>();
        root.put("vocab_size", vocabSize);
        root.put("itos", itosMap);
        root.put("stoi", stoi);
        AtomicFiles.write(file, Pickle.write(root));
    }
}
