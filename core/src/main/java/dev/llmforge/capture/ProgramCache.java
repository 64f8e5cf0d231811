package dev.llmforge.capture;

import dev.llmforge.spi.capture.CaptureSupport;
import dev.llmforge.spi.capture.CompiledProgram;
import dev.llmforge.spi.capture.Program;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** Compiled programs by structure, least recently used evicted (and closed) beyond a capacity. */
final class ProgramCache implements AutoCloseable {
    private final CaptureSupport support;
    private final int capacity;
    private final LinkedHashMap<Program, CompiledProgram> programs = new LinkedHashMap<>(16, 0.75f, true);
    private long compilations;

    ProgramCache(CaptureSupport support, int capacity) {
        this.support = support;
        this.capacity = capacity;
    }

    /** The compiled form of {@code program}, compiling it on first sight. */
    CompiledProgram compiled(Program program) {
        CompiledProgram c = programs.get(program);
        if (c != null) {
            return c;
        }
        c = support.compile(program);
        compilations++;
        programs.put(program, c);
        if (programs.size() > capacity) {
            Iterator<Map.Entry<Program, CompiledProgram>> eldest = programs.entrySet().iterator();
            CompiledProgram evicted = eldest.next().getValue();
            eldest.remove();
            evicted.close();
        }
        return c;
    }

    long compilations() {
        return compilations;
    }

    int size() {
        return programs.size();
    }

    @Override
    public void close() {
        for (CompiledProgram c : programs.values()) {
            c.close();
        }
        programs.clear();
    }
}
