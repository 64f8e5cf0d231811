package dev.llmforge.backend.tensorflow;

import dev.llmforge.spi.capture.Op;
import dev.llmforge.spi.capture.Program;
import dev.llmforge.spi.capture.ValueType;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.internal.c_api.TF_Graph;

/**
 * Builds the TensorFlow graph of a captured {@link Program}: a placeholder per input and per host
 * data slot, two placeholders for the fed numbers, then each op through the same {@link TfMath}
 * the eager kernels use. Numbers that vary between runs are read from the fed vectors. A native
 * fused backward reuses its forward's statistics when the forward is in the same graph.
 */
final class GraphLowering {
    private final GraphEmitter emitter;
    private final TfMath m;
    private final Program program;
    private final TfValue[] values;
    private final List<GraphValue> feeds = new ArrayList<>();
    private final GraphValue[] data;
    private final GraphValue scalars;
    private final GraphValue longs;
    /** Forward intermediates (layer-norm statistics, cross-entropy gradients) by their inputs. */
    private final Map<List<Object>, TfValue[]> forwards = new HashMap<>();

    GraphLowering(TF_Graph graph, Program program) {
        this.emitter = new GraphEmitter(graph);
        this.m = new TfMath(emitter);
        this.program = program;
        this.values = new TfValue[program.valueCount()];
        for (int id : program.inputs()) {
            ValueType t = program.type(id);
            GraphValue p = emitter.placeholder(t.shape(), t.dtype());
            values[id] = p;
            feeds.add(p);
        }
        this.data = new GraphValue[program.dataCount()];
        for (Op op : program.ops()) {
            if (op.dataSlot() >= 0) {
                data[op.dataSlot()] = emitter.placeholder(op.shape(), op.dtype());
            }
        }
        feeds.addAll(Arrays.asList(data));
        this.scalars = program.scalarCount() > 0 ? emitter.placeholder(Shape.of(program.scalarCount()), DType.F64) : null;
        this.longs = program.longCount() > 0 ? emitter.placeholder(Shape.of(program.longCount()), DType.I64) : null;
        if (scalars != null) {
            feeds.add(scalars);
        }
        if (longs != null) {
            feeds.add(longs);
        }
        for (Op op : program.ops()) {
            lower(op);
        }
    }

    List<GraphValue> feeds() {
        return feeds;
    }

    /** The values to fetch; a fed value (host data returned as is) goes through an Identity, as TensorFlow requires. */
    List<GraphValue> fetches() {
        List<GraphValue> out = new ArrayList<>();
        for (int id : program.outputs()) {
            GraphValue v = (GraphValue) values[id];
            out.add(feeds.contains(v) ? (GraphValue) emitter.op("Identity").in(v).build() : v);
        }
        return out;
    }

    private void lower(Op op) {
        TfValue[] in = new TfValue[op.inputCount()];
        for (int i = 0; i < in.length; i++) {
            in[i] = op.input(i) < 0 ? null : values[op.input(i)];
        }
        TfValue[] out = outputs(op, in);
        for (int i = 0; i < op.outputCount(); i++) {
            int id = op.output(i);
            if (id < 0) {
                continue;
            }
            ValueType expected = program.type(id);
            if (!out[i].shape().equals(expected.shape()) || out[i].dtype() != expected.dtype()) {
                throw new IllegalStateException("TensorFlow graph for " + op + " produced " + out[i].shape() + " " + out[i].dtype()
                        + " for output " + i + ", the recording expects " + expected);
            }
            values[id] = out[i];
        }
    }

    private TfValue[] outputs(Op op, TfValue[] in) {
        return switch (op.kind()) {
            case FROM_BUFFER -> one(data[op.dataSlot()]);
            case FULL -> one(m.fill(op.shape(), scalar(op.scalarSlot(), op.dtype())));
            case RANDOM_UNIFORM -> one(m.randomUniform(op.shape(), op.dtype(), seed(op.longSlot())));
            case RANDOM_NORMAL -> one(m.randomNormal(op.shape(), op.dtype(), seed(op.longSlot())));
            case CAST -> one(m.cast(in[0], op.dtype()));
            case RESHAPE -> one(m.reshape(in[0], op.shape()));
            case PERMUTE -> one(m.permute(in[0], op.attrsAsInts(0)));
            case EXPAND -> one(m.expand(in[0], op.shape()));
            case SLICE -> one(m.slice(in[0], (int) op.attr(0), (int) op.attr(1), (int) op.attr(2)));
            case CONCAT -> one(m.concat(Arrays.asList(in), (int) op.attr(0)));
            case GATHER -> one(m.gather(in[0], (int) op.attr(0), in[1]));
            case SCATTER_ADD -> one(m.scatterAdd(op.shape(), (int) op.attr(0), in[0], in[1]));
            case NEG, EXP, LOG, SQRT, TANH, RECIPROCAL, ERF -> one(m.unary(op.kind(), in[0]));
            case ADD, SUB, MUL, DIV, MAXIMUM, LT, EQ -> one(m.binary(op.kind(), in[0], in[1]));
            case WHERE -> one(m.where(in[0], in[1], in[2]));
            case SUM -> one(m.sum(in[0], op.attrsAsInts(1), op.flag(0)));
            case MAX -> one(m.max(in[0], op.attrsAsInts(1), op.flag(0)));
            case ARGMAX -> one(m.argmax(in[0], (int) op.attr(0), op.flag(1)));
            case MATMUL -> one(m.matmul(in[0], in[1], op.flag(0), op.flag(1)));
            case SOFTMAX_CROSS_ENTROPY -> one(crossEntropy(op, in)[0]);
            case SOFTMAX_CROSS_ENTROPY_BACKWARD -> {
                TfValue[] fwd = crossEntropy(op, in);
                yield one(m.softmaxCrossEntropyBackward(fwd[1], fwd[2], in[3]));
            }
            case LAYER_NORM -> {
                TfValue[] stats = layerNormStats(op, in);
                yield one(m.layerNorm(in[0], in[1], in[2], stats[0], stats[1]));
            }
            case LAYER_NORM_BACKWARD -> {
                TfValue[] stats = layerNormStats(op, in);
                yield m.layerNormBackward(in[0], in[1], in[2], stats[0], stats[1], in[4]);
            }
            case GELU -> one(m.gelu(in[0], op.flag(0)));
            case GELU_BACKWARD -> one(m.geluBackward(in[0], op.flag(0), in[2]));
            case SOFTMAX -> one(m.softmax(in[0]));
            case SOFTMAX_BACKWARD -> one(m.softmaxBackward(in[0], in[1]));
            case ADAMW_UPDATE -> {
                int s = op.scalarSlot();
                TfMath.AdamFactors f = m.adamFactors(scalar(s, DType.F64), scalar(s + 1, DType.F64), scalar(s + 2, DType.F64),
                        scalar(s + 3, DType.F64), scalar(s + 4, DType.F64), m.gather(longs, 0, m.scalar(op.longSlot(), DType.I64)),
                        in[0].dtype());
                yield m.adamW(in[0], in[1], in[2], in[3], f);
            }
            case CAUSAL_ATTENTION, CAUSAL_ATTENTION_BACKWARD -> throw new IllegalStateException(
                    "the tensorflow backend does not declare " + op.kind() + " native, so it cannot have been recorded as one op");
        };
    }

    private static TfValue[] one(TfValue v) {
        return new TfValue[] {v};
    }

    /** Fed number {@code slot}, converted to {@code dtype} as the eager kernel converts a Java double. */
    private TfValue scalar(int slot, DType dtype) {
        return m.castLikeScalar(m.gather(scalars, 0, m.scalar(slot, DType.I64)), dtype);
    }

    /** The I64 pair {fed seed, 0}, as the eager kernel builds it. */
    private TfValue seed(int slot) {
        return m.concat(List.of(m.gather(longs, 0, m.longs(slot)), m.longs(0)), 0);
    }

    private TfValue[] crossEntropy(Op op, TfValue[] in) {
        return forwards.computeIfAbsent(List.of("ce", op.input(0), op.input(1), op.attr(0)),
                k -> m.softmaxCrossEntropy(in[0], in[1], op.attr(0)));
    }

    private TfValue[] layerNormStats(Op op, TfValue[] in) {
        return forwards.computeIfAbsent(List.of("ln", op.input(0), op.constant(0)), k -> m.layerNormStats(in[0], op.constant(0)));
    }
}
