package dev.llmforge.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** An ordered list of sub-modules named 0, 1, 2, ... (so parameters read {@code h.0.attn...}). */
public final class ModuleList<M extends Module> extends Module {
    private final List<M> items = new ArrayList<>();

    public ModuleList(List<M> modules) {
        for (M m : modules) {
            registerModule(Integer.toString(items.size()), m);
            items.add(m);
        }
    }

    public M get(int i) {
        return items.get(i);
    }

    public int size() {
        return items.size();
    }

    public List<M> asList() {
        return Collections.unmodifiableList(items);
    }
}
