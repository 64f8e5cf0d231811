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

    public static NanoGptMeta read(Path file) throws IOException {
        Object root;
        try {
            root = Pickle.read(Files.readAllBytes(file));
        } catch (IllegalArgumentException e) {
            throw new IOException("cannot read nanoGPT meta " + file + ": " + e.getMessage(), e);
        }
        if (!(root instanceof Map<?, ?> m)) {
            throw new IOException("nanoGPT meta " + file + " is not a dict");
        }
        Object vs = m.get("vocab_size");
        Object itos = m.get("itos");
        if (!(vs instanceof Long n) || !(itos instanceof Map<?, ?> table)) {
            throw new IOException("nanoGPT meta " + file + " needs int 'vocab_size' and dict 'itos', found keys " + m.keySet());
        }
        String[] symbols = new String[Math.toIntExact(n)];
        for (Map.Entry<?, ?> e : table.entrySet()) {
            if (!(e.getKey() instanceof Long id) || !(e.getValue() instanceof String s) || id < 0 || id >= symbols.length) {
                throw new IOException("nanoGPT meta " + file + ": bad itos entry " + e.getKey() + " -> " + e.getValue());
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
