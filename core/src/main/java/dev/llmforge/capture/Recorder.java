package dev.llmforge.capture;

import dev.llmforge.spi.Backend;
import dev.llmforge.spi.FusedKernels;
import dev.llmforge.spi.Kernels;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.spi.capture.CaptureSupport;
import dev.llmforge.spi.capture.Program;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Records one run of a captured step as a sequence of segments and runs each segment through the
 * program cache. A segment ends when the step ends, or early when core needs on the host a value
 * computed inside the current segment (a {@code toBuffer} of it): the segment then runs at once, so
 * a captured step computes exactly what it would compute eagerly, whatever it reads.
 */
final class Recorder {
    private final Backend backend;
    private final CaptureSupport support;
    private final ProgramCache cache;
    private final RecordingKernels kernels;
    private final RecordingFused fused;
    private Segment segment;
    private int segments;
    private int ops;
    private long runNanos;

    Recorder(Backend backend, CaptureSupport support, ProgramCache cache) {
        this.backend = backend;
        this.support = support;
        this.cache = cache;
        this.kernels = new RecordingKernels(this);
        this.fused = new RecordingFused(kernels, this, support.fusedOps());
        this.segment = new Segment(support);
    }

    Kernels kernels() {
        return kernels;
    }

    FusedKernels fused() {
        return fused;
    }

    Segment segment() {
        return segment;
    }

    /** Segments run so far by this recorder. */
    int segments() {
        return segments;
    }

    /** Ops recorded so far by this recorder. */
    int ops() {
        return ops;
    }

    /** Time spent compiling and running segments so far (the rest of a step's time is recording). */
    long runNanos() {
        return runNanos;
    }

    /**
     * A host read during capture: recorded host data (or a reshape of a readable value) is read
     * without running anything; any other value computed in this segment runs the segment first.
     */
    ByteBuffer read(NativeTensor x) {
        NativeTensor source = x;
        while (source instanceof Symbol s && !s.isResolved()) {
            if (s.hostData() != null) {
                ByteBuffer copy = ByteBuffer.allocate(s.hostData().remaining()).order(ByteOrder.LITTLE_ENDIAN);
                copy.put(s.hostData().duplicate()).flip();
                return copy;
            }
            if (s.sameBytes() != null) {
                source = s.sameBytes();
                continue;
            }
            if (s.segment() == segment) {
                flush();
            }
            break;
        }
        return backend.kernels().toBuffer(CaptureSupport.unwrap(source));
    }

    /** Runs the current segment (if it recorded anything) and starts a new one. */
    void flush() {
        Segment seg = segment;
        segment = new Segment(support);
        if (seg.isEmpty()) {
            seg.releaseInputs();
            return;
        }
        List<Symbol> outputs = seg.openSymbols();
        try {
            long start = System.nanoTime();
            Program program = seg.program(outputs);
            List<NativeTensor> results = cache.compiled(program).run(seg.feeds());
            runNanos += System.nanoTime() - start;
            check(program, outputs, results);
            for (int i = 0; i < outputs.size(); i++) {
                outputs.get(i).resolve(results.get(i));
            }
            segments++;
            ops += seg.opCount();
        } catch (RuntimeException | Error e) {
            for (Symbol s : seg.symbols()) {
                if (!s.isResolved()) {
                    s.fail(e.toString());
                }
            }
            throw e;
        } finally {
            seg.releaseInputs();
        }
    }

    private void check(Program program, List<Symbol> outputs, List<NativeTensor> results) {
        String problem = null;
        if (results.size() != outputs.size()) {
            problem = "returned " + results.size() + " values for " + outputs.size() + " outputs";
        } else {
            for (int i = 0; i < results.size() && problem == null; i++) {
                NativeTensor r = results.get(i);
                Symbol s = outputs.get(i);
                if (!r.shape().equals(s.shape()) || r.dtype() != s.dtype()) {
                    problem = "output " + i + " (%" + s.id() + ") is " + r.shape() + " " + r.dtype() + ", expected " + s.shape() + " " + s.dtype();
                }
            }
        }
        if (problem != null) {
            for (NativeTensor r : results) {
                r.close();
            }
            throw new IllegalStateException("backend " + backend.name() + ": compiled program " + problem + "\n" + program);
        }
    }
}
