package dev.llmforge.capture;

import dev.llmforge.internal.reference.ReferenceBackend;
import dev.llmforge.spi.Backend;
import dev.llmforge.spi.Capability;
import dev.llmforge.spi.FusedKernels;
import dev.llmforge.spi.FusedOp;
import dev.llmforge.spi.Kernels;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.spi.capture.CaptureSupport;
import dev.llmforge.spi.capture.CompiledProgram;
import dev.llmforge.spi.capture.Feeds;
import dev.llmforge.spi.capture.Op;
import dev.llmforge.spi.capture.Program;
import dev.llmforge.tensor.Shape;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The reference backend with capture support whose "compiler" interprets the recorded program on
 * the reference kernels: it checks the recording, the feeds and the segment logic of core's
 * capture without any engine. Every fused pair is declared native, so each is recorded as one op
 * (and the interpreter recomputes a forward when it meets its backward, as a graph would).
 */
final class InterpretingBackend implements Backend, CaptureSupport {
    private final ReferenceBackend reference = new ReferenceBackend();
    private final Kernels kernels = new Unwrapping(reference.kernels());
    int compilations;

    @Override
    public String name() {
        return "interpreting-reference";
    }

    @Override
    public Kernels kernels() {
        return kernels;
    }

    @Override
    public Set<FusedOp> nativeFusedOps() {
        return EnumSet.allOf(FusedOp.class);
    }

    @Override
    public Set<Capability> capabilities() {
        return reference.capabilities();
    }

    @Override
    public long liveTensorCount() {
        return reference.liveTensorCount();
    }

    @Override
    public Optional<CaptureSupport> capture() {
        return Optional.of(this);
    }

    @Override
    public Set<FusedOp> fusedOps() {
        return nativeFusedOps();
    }

    @Override
    public NativeTensor retain(NativeTensor handle) {
        return kernels.reshape(handle, handle.shape());
    }

    @Override
    public CompiledProgram compile(Program program) {
        compilations++;
        return new CompiledProgram() {
            @Override
            public List<NativeTensor> run(Feeds feeds) {
                return interpret(program, feeds);
            }

            @Override
            public void close() {
            }
        };
    }

    private List<NativeTensor> interpret(Program p, Feeds feeds) {
        Kernels k = kernels;
        FusedKernels f = fused();
        NativeTensor[] v = new NativeTensor[p.valueCount()];
        int[] inputs = p.inputs();
        for (int i = 0; i < inputs.length; i++) {
            v[inputs[i]] = feeds.inputs().get(i);
        }
        List<NativeTensor> made = new ArrayList<>();
        for (Op op : p.ops()) {
            NativeTensor[] in = new NativeTensor[op.inputCount()];
            for (int i = 0; i < in.length; i++) {
                in[i] = op.input(i) < 0 ? null : v[op.input(i)];
            }
            NativeTensor[] out = run(k, f, op, in, feeds);
            for (int i = 0; i < out.length; i++) {
                if (op.output(i) >= 0) {
                    v[op.output(i)] = out[i];
                    made.add(out[i]);
                }
            }
        }
        List<NativeTensor> results = new ArrayList<>();
        for (int id : p.outputs()) {
            results.add(v[id]);
        }
        for (NativeTensor t : made) {
            if (!results.contains(t)) {
                t.close();
            }
        }
        return results;
    }

    private static NativeTensor[] run(Kernels k, FusedKernels f, Op op, NativeTensor[] in, Feeds feeds) {
        int s = op.scalarSlot();
        return switch (op.kind()) {
            case FROM_BUFFER -> one(k.fromBuffer(feeds.data().get(op.dataSlot()), op.shape(), op.dtype(), op.device()));
            case FULL -> one(k.full(op.shape(), feeds.scalars()[s], op.dtype(), op.device()));
            case RANDOM_UNIFORM -> one(k.randomUniform(op.shape(), op.dtype(), op.device(), feeds.longs()[op.longSlot()]));
            case RANDOM_NORMAL -> one(k.randomNormal(op.shape(), op.dtype(), op.device(), feeds.longs()[op.longSlot()]));
            case CAST -> one(k.cast(in[0], op.dtype()));
            case RESHAPE -> one(k.reshape(in[0], op.shape()));
            case PERMUTE -> one(k.permute(in[0], op.attrsAsInts(0)));
            case EXPAND -> one(k.expand(in[0], op.shape()));
            case SLICE -> one(k.slice(in[0], (int) op.attr(0), (int) op.attr(1), (int) op.attr(2)));
            case CONCAT -> one(k.concat(List.of(in), (int) op.attr(0)));
            case GATHER -> one(k.gather(in[0], (int) op.attr(0), in[1]));
            case SCATTER_ADD -> one(k.scatterAdd(op.shape(), (int) op.attr(0), in[0], in[1]));
            case NEG -> one(k.neg(in[0]));
            case EXP -> one(k.exp(in[0]));
            case LOG -> one(k.log(in[0]));
            case SQRT -> one(k.sqrt(in[0]));
            case TANH -> one(k.tanh(in[0]));
            case RECIPROCAL -> one(k.reciprocal(in[0]));
            case ERF -> one(k.erf(in[0]));
            case ADD -> one(k.add(in[0], in[1]));
            case SUB -> one(k.sub(in[0], in[1]));
            case MUL -> one(k.mul(in[0], in[1]));
            case DIV -> one(k.div(in[0], in[1]));
            case MAXIMUM -> one(k.maximum(in[0], in[1]));
            case LT -> one(k.lt(in[0], in[1]));
            case EQ -> one(k.eq(in[0], in[1]));
            case WHERE -> one(k.where(in[0], in[1], in[2]));
            case SUM -> one(k.sum(in[0], op.attrsAsInts(1), op.flag(0)));
            case MAX -> one(k.max(in[0], op.attrsAsInts(1), op.flag(0)));
            case ARGMAX -> one(k.argmax(in[0], (int) op.attr(0), op.flag(1)));
            case MATMUL -> one(k.matmul(in[0], in[1], op.flag(0), op.flag(1)));
            case SOFTMAX_CROSS_ENTROPY -> forward(f.softmaxCrossEntropy(in[0], in[1], op.attr(0), false));
            case SOFTMAX_CROSS_ENTROPY_BACKWARD -> {
                FusedKernels.Result fwd = f.softmaxCrossEntropy(in[0], in[1], op.attr(0), true);
                yield closingSaved(fwd, one(f.softmaxCrossEntropyBackward(in[0], in[1], op.attr(0), fwd, in[3])));
            }
            case LAYER_NORM -> forward(f.layerNorm(in[0], in[1], in[2], op.constant(0), false));
            case LAYER_NORM_BACKWARD -> {
                FusedKernels.Result fwd = f.layerNorm(in[0], in[1], in[2], op.constant(0), true);
                yield closingSaved(fwd, f.layerNormBackward(in[0], in[1], in[2], op.constant(0), fwd, in[4]));
            }
            case GELU -> forward(f.gelu(in[0], op.flag(0), false));
            case GELU_BACKWARD -> {
                FusedKernels.Result fwd = f.gelu(in[0], op.flag(0), true);
                yield closingSaved(fwd, one(f.geluBackward(in[0], op.flag(0), fwd, in[2])));
            }
            case SOFTMAX -> forward(f.softmax(in[0], false));
            case SOFTMAX_BACKWARD -> one(f.softmaxBackward(new FusedKernels.Result(in[0]), in[1]));
            case CAUSAL_ATTENTION -> forward(f.causalAttention(in[0], in[1], in[2], op.constant(0), false));
            case CAUSAL_ATTENTION_BACKWARD -> {
                FusedKernels.Result fwd = f.causalAttention(in[0], in[1], in[2], op.constant(0), true);
                yield closingSaved(fwd, f.causalAttentionBackward(in[0], in[1], in[2], op.constant(0), fwd, in[4]));
            }
            case ADAMW_UPDATE -> f.adamWUpdate(in[0], in[1], in[2], in[3], new FusedKernels.AdamWStep(feeds.scalars()[s],
                    feeds.scalars()[s + 1], feeds.scalars()[s + 2], feeds.scalars()[s + 3], feeds.scalars()[s + 4], feeds.longs()[op.longSlot()]));
        };
    }

    private static NativeTensor[] one(NativeTensor t) {
        return new NativeTensor[] {t};
    }

    private static NativeTensor[] forward(FusedKernels.Result r) {
        return closingSaved(r, one(r.output()));
    }

    /** Closes a recomputed forward's saved handles (and its output, unless it is what the op returns). */
    private static NativeTensor[] closingSaved(FusedKernels.Result r, NativeTensor[] result) {
        for (NativeTensor s : r.saved()) {
            s.close();
        }
        if (!List.of(result).contains(r.output())) {
            r.output().close();
        }
        return result;
    }

    /** The reference kernels, given the backend handles behind captured values. */
    private record Unwrapping(Kernels k) implements Kernels {
        private static NativeTensor u(NativeTensor x) {
            return CaptureSupport.unwrap(x);
        }

        private static List<NativeTensor> u(List<NativeTensor> xs) {
            return xs.stream().map(CaptureSupport::unwrap).toList();
        }

        @Override public NativeTensor fromBuffer(java.nio.ByteBuffer data, Shape shape, dev.llmforge.tensor.DType dtype, dev.llmforge.tensor.Device device) {
            return k.fromBuffer(data, shape, dtype, device);
        }
        @Override public java.nio.ByteBuffer toBuffer(NativeTensor x) { return k.toBuffer(u(x)); }
        @Override public NativeTensor full(Shape shape, double value, dev.llmforge.tensor.DType dtype, dev.llmforge.tensor.Device device) {
            return k.full(shape, value, dtype, device);
        }
        @Override public NativeTensor randomUniform(Shape shape, dev.llmforge.tensor.DType dtype, dev.llmforge.tensor.Device device, long seed) {
            return k.randomUniform(shape, dtype, device, seed);
        }
        @Override public NativeTensor randomNormal(Shape shape, dev.llmforge.tensor.DType dtype, dev.llmforge.tensor.Device device, long seed) {
            return k.randomNormal(shape, dtype, device, seed);
        }
        @Override public NativeTensor cast(NativeTensor x, dev.llmforge.tensor.DType dtype) { return k.cast(u(x), dtype); }
        @Override public NativeTensor reshape(NativeTensor x, Shape shape) { return k.reshape(u(x), shape); }
        @Override public NativeTensor permute(NativeTensor x, int[] axes) { return k.permute(u(x), axes); }
        @Override public NativeTensor expand(NativeTensor x, Shape shape) { return k.expand(u(x), shape); }
        @Override public NativeTensor slice(NativeTensor x, int axis, int start, int end) { return k.slice(u(x), axis, start, end); }
        @Override public NativeTensor concat(List<NativeTensor> xs, int axis) { return k.concat(u(xs), axis); }
        @Override public NativeTensor gather(NativeTensor src, int axis, NativeTensor idx) { return k.gather(u(src), axis, u(idx)); }
        @Override public NativeTensor scatterAdd(Shape shape, int axis, NativeTensor idx, NativeTensor upd) {
            return k.scatterAdd(shape, axis, u(idx), u(upd));
        }
        @Override public NativeTensor neg(NativeTensor x) { return k.neg(u(x)); }
        @Override public NativeTensor exp(NativeTensor x) { return k.exp(u(x)); }
        @Override public NativeTensor log(NativeTensor x) { return k.log(u(x)); }
        @Override public NativeTensor sqrt(NativeTensor x) { return k.sqrt(u(x)); }
        @Override public NativeTensor tanh(NativeTensor x) { return k.tanh(u(x)); }
        @Override public NativeTensor reciprocal(NativeTensor x) { return k.reciprocal(u(x)); }
        @Override public NativeTensor erf(NativeTensor x) { return k.erf(u(x)); }
        @Override public NativeTensor add(NativeTensor a, NativeTensor b) { return k.add(u(a), u(b)); }
        @Override public NativeTensor sub(NativeTensor a, NativeTensor b) { return k.sub(u(a), u(b)); }
        @Override public NativeTensor mul(NativeTensor a, NativeTensor b) { return k.mul(u(a), u(b)); }
        @Override public NativeTensor div(NativeTensor a, NativeTensor b) { return k.div(u(a), u(b)); }
        @Override public NativeTensor maximum(NativeTensor a, NativeTensor b) { return k.maximum(u(a), u(b)); }
        @Override public NativeTensor lt(NativeTensor a, NativeTensor b) { return k.lt(u(a), u(b)); }
        @Override public NativeTensor eq(NativeTensor a, NativeTensor b) { return k.eq(u(a), u(b)); }
        @Override public NativeTensor where(NativeTensor c, NativeTensor a, NativeTensor b) { return k.where(u(c), u(a), u(b)); }
        @Override public NativeTensor sum(NativeTensor x, int[] axes, boolean keepDim) { return k.sum(u(x), axes, keepDim); }
        @Override public NativeTensor max(NativeTensor x, int[] axes, boolean keepDim) { return k.max(u(x), axes, keepDim); }
        @Override public NativeTensor argmax(NativeTensor x, int axis, boolean keepDim) { return k.argmax(u(x), axis, keepDim); }
        @Override public NativeTensor matmul(NativeTensor a, NativeTensor b, boolean ta, boolean tb) { return k.matmul(u(a), u(b), ta, tb); }
    }
}
