package dev.llmforge.capture;

import dev.llmforge.spi.NativeTensor;
import dev.llmforge.spi.capture.CaptureSupport;
import dev.llmforge.spi.capture.Feeds;
import dev.llmforge.spi.capture.Op;
import dev.llmforge.spi.capture.OpKind;
import dev.llmforge.spi.capture.Program;
import dev.llmforge.spi.capture.ValueType;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Device;
import dev.llmforge.tensor.Shape;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The recording of one segment of a captured step: values, ops, and what the run will be fed. A
 * step is one segment unless a host read of a value computed inside it forces the segment to run
 * early (see {@link Recorder#read}).
 */
final class Segment {
    private static final int[] NONE = new int[0];
    private static final long[] NO_ATTRS = new long[0];
    private static final double[] NO_CONSTS = new double[0];

    private final CaptureSupport support;
    private final List<ValueType> values = new ArrayList<>();
    private final List<Op> ops = new ArrayList<>();
    private final List<Symbol> symbols = new ArrayList<>();
    private final Map<NativeTensor, Integer> inputIndex = new IdentityHashMap<>();
    private final List<Integer> inputs = new ArrayList<>();
    private final List<NativeTensor> retained = new ArrayList<>();
    private final List<ByteBuffer> data = new ArrayList<>();
    private double[] scalars = new double[64];
    private int scalarCount;
    private long[] longs = new long[16];
    private int longCount;

    Segment(CaptureSupport support) {
        this.support = support;
    }

    boolean isEmpty() {
        return ops.isEmpty();
    }

    /**
     * The id of {@code x} in this segment. A handle from outside (a backend tensor, or a value of an
     * earlier segment) becomes an input the first time it is seen; core may close it before the
     * segment runs, so a retained handle to its storage is fed instead.
     */
    int id(NativeTensor x) {
        if (x instanceof Symbol s && s.segment() == this) {
            return s.id();
        }
        return inputs.get(inputIndex(x));
    }

    /**
     * A handle to read {@code x}'s bytes from until this segment runs: the retained handle of an
     * input (the original may be closed meanwhile), or {@code x} itself if it is a value of this segment.
     */
    NativeTensor readable(NativeTensor x) {
        return x instanceof Symbol s && s.segment() == this ? s : retained.get(inputIndex(x));
    }

    /** The position of outside handle {@code x} among the inputs, registering it on first sight. */
    private int inputIndex(NativeTensor x) {
        NativeTensor handle = x instanceof Symbol s ? s.concrete() : x;
        Integer known = inputIndex.get(handle);
        if (known != null) {
            return known;
        }
        int id = values.size();
        values.add(new ValueType(handle.shape(), handle.dtype(), handle.device()));
        inputs.add(id);
        retained.add(support.retain(handle));
        inputIndex.put(handle, inputs.size() - 1);
        return inputs.size() - 1;
    }

    /** Starts recording an op. */
    OpBuilder op(OpKind kind) {
        return new OpBuilder(kind);
    }

    /** The program this segment recorded, returning {@code outputs}. */
    Program program(List<Symbol> outputs) {
        int[] out = new int[outputs.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = outputs.get(i).id();
        }
        int[] in = inputs.stream().mapToInt(Integer::intValue).toArray();
        return new Program(values, in, ops, out, scalarCount, longCount, data.size());
    }

    Feeds feeds() {
        return new Feeds(List.copyOf(retained), List.copyOf(data), Arrays.copyOf(scalars, scalarCount), Arrays.copyOf(longs, longCount));
    }

    /** Symbols made in this segment and still open: what its run must return. */
    List<Symbol> openSymbols() {
        List<Symbol> open = new ArrayList<>();
        for (Symbol s : symbols) {
            if (s.isOpen()) {
                open.add(s);
            }
        }
        return open;
    }

    List<Symbol> symbols() {
        return symbols;
    }

    /** Closes the retained input handles (after the run, or when the segment is abandoned). */
    void releaseInputs() {
        RuntimeException failure = null;
        for (NativeTensor h : retained) {
            try {
                h.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        retained.clear();
        if (failure != null) {
            throw failure;
        }
    }

    int opCount() {
        return ops.size();
    }

    /** Collects one op's fields; {@link #out} or {@link #outs} appends it. */
    final class OpBuilder {
        private final OpKind kind;
        private int[] in = NONE;
        private long[] attrs = NO_ATTRS;
        private double[] consts = NO_CONSTS;
        private Shape shape;
        private DType dtype;
        private Device device;
        private int scalarSlot = -1;
        private int longSlot = -1;
        private int dataSlot = -1;
        private ByteBuffer hostData;

        private OpBuilder(OpKind kind) {
            this.kind = kind;
        }

        /** Inputs; null entries are absent optional inputs. */
        OpBuilder in(NativeTensor... xs) {
            in = new int[xs.length];
            for (int i = 0; i < xs.length; i++) {
                in[i] = xs[i] == null ? -1 : id(xs[i]);
            }
            return this;
        }

        OpBuilder in(List<NativeTensor> xs) {
            return in(xs.toArray(new NativeTensor[0]));
        }

        OpBuilder attrs(long... values) {
            attrs = values;
            return this;
        }

        OpBuilder consts(double... values) {
            consts = values;
            return this;
        }

        OpBuilder shape(Shape s) {
            shape = s;
            return this;
        }

        OpBuilder dtype(DType t) {
            dtype = t;
            return this;
        }

        OpBuilder device(Device d) {
            device = d;
            return this;
        }

        OpBuilder scalars(double... values) {
            scalarSlot = scalarCount;
            for (double v : values) {
                if (scalarCount == scalars.length) {
                    scalars = Arrays.copyOf(scalars, scalarCount * 2);
                }
                scalars[scalarCount++] = v;
            }
            return this;
        }

        OpBuilder longs(long... values) {
            longSlot = longCount;
            for (long v : values) {
                if (longCount == longs.length) {
                    longs = Arrays.copyOf(longs, longCount * 2);
                }
                longs[longCount++] = v;
            }
            return this;
        }

        /** Host bytes fed at every run (and readable on the host before the segment runs). */
        OpBuilder data(ByteBuffer bytes) {
            dataSlot = data.size();
            data.add(bytes);
            hostData = bytes;
            return this;
        }

        /** Appends the op with one output of {@code type}. */
        Symbol out(ValueType type) {
            return outs(type)[0];
        }

        /** Appends the op; a null type is an output the op does not produce. */
        Symbol[] outs(ValueType... types) {
            int[] ids = new int[types.length];
            Symbol[] result = new Symbol[types.length];
            for (int i = 0; i < types.length; i++) {
                if (types[i] == null) {
                    ids[i] = -1;
                    continue;
                }
                ids[i] = values.size();
                values.add(types[i]);
                result[i] = new Symbol(Segment.this, ids[i], types[i], hostData);
                symbols.add(result[i]);
            }
            ops.add(new Op(kind, in, ids, attrs, consts, shape, dtype, device, scalarSlot, longSlot, dataSlot));
            return result;
        }
    }
}
