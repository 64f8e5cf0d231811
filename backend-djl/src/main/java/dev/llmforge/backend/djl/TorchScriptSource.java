package dev.llmforge.backend.djl;

import static dev.llmforge.spi.GeluConstants.CUBIC_COEFFICIENT;
import static dev.llmforge.spi.GeluConstants.SQRT_2_OVER_PI;

import dev.llmforge.spi.capture.Op;
import dev.llmforge.spi.capture.OpKind;
import dev.llmforge.spi.capture.Program;
import dev.llmforge.spi.capture.ValueType;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * A recorded {@link Program} written as the TorchScript source of one module's {@code forward}:
 * one statement per op, each the ATen op (or the short sequence of them) the eager kernels of this
 * backend call, in the same order, so a compiled step computes what the eager step computes.
 *
 * <p>The forward takes the program's inputs, then one tensor per source op (host data, random
 * draws: made by the caller before each run, see {@link #sourceOps()}), then the fed numbers as
 * {@code s: List[float]} and {@code l: List[int]}; it returns the outputs as a tuple. An output
 * that would share storage with an input or with an earlier output is cloned, so every returned
 * tensor owns its storage (the in-place AdamW kernel relies on that).
 */
final class TorchScriptSource {
    static final String CLASS_NAME = "Step";

    private final Program program;
    private final List<Op> sourceOps = new ArrayList<>();
    private final int[] storageRoot;
    private final StringBuilder body = new StringBuilder();

    private TorchScriptSource(Program program) {
        this.program = program;
        this.storageRoot = new int[program.valueCount()];
        for (int i = 0; i < storageRoot.length; i++) {
            storageRoot[i] = i;
        }
    }

    /** Translates {@code program} (every {@link OpKind} has a translation). */
    static TorchScriptSource of(Program program) {
        TorchScriptSource source = new TorchScriptSource(program);
        for (Op op : program.ops()) {
            source.translate(op);
        }
        return source;
    }

    /** The source ops (FROM_BUFFER, RANDOM_*) whose values the caller makes and passes after the inputs, in order. */
    List<Op> sourceOps() {
        return sourceOps;
    }

    /** The module's source file ({@code code/__torch__.py} of the archive). */
    String text() {
        StringBuilder s = new StringBuilder();
        s.append("class ").append(CLASS_NAME).append("(Module):\n");
        s.append("  __parameters__ = []\n  __buffers__ = []\n  training : bool\n");
        s.append("  def forward(self: __torch__.").append(CLASS_NAME);
        for (int id : program.inputs()) {
            s.append(",\n    v").append(id).append(": Tensor");
        }
        for (Op op : sourceOps) {
            s.append(",\n    v").append(op.output(0)).append(": Tensor");
        }
        if (program.scalarCount() > 0) {
            s.append(",\n    s: List[float]");
        }
        if (program.longCount() > 0) {
            s.append(",\n    l: List[int]");
        }
        int[] outputs = program.outputs();
        s.append(") -> Tuple[").append(String.join(", ", Collections.nCopies(Math.max(1, outputs.length), "Tensor")))
                .append("]:\n");
        s.append(body);
        List<String> returned = new ArrayList<>();
        boolean[] claimed = new boolean[program.valueCount()];
        for (int id : program.inputs()) {
            claimed[id] = true;
        }
        for (int id : outputs) {
            int root = storageRoot[id];
            returned.add(claimed[root] ? "torch.clone(v" + id + ")" : "v" + id);
            claimed[root] = true;
        }
        if (returned.isEmpty()) {
            throw new IllegalArgumentException("a program without outputs has nothing to compile");
        }
        s.append("    return (").append(String.join(", ", returned)).append(returned.size() == 1 ? ",)\n" : ")\n");
        return s.toString();
    }

    // ---- translation ----------------------------------------------------------------------------

    private void translate(Op op) {
        switch (op.kind()) {
            case FROM_BUFFER, RANDOM_UNIFORM, RANDOM_NORMAL -> sourceOps.add(op);
            case FULL -> let(op, "torch.full(" + dims(op.shape()) + ", s[" + op.scalarSlot() + "], dtype=" + code(op.dtype()) + ")");
            case CAST -> {
                let(op, "torch.to(" + in(op, 0) + ", " + code(op.dtype()) + ")");
                if (op.dtype() == type(op.input(0)).dtype()) {
                    view(op);
                }
            }
            case RESHAPE -> viewLet(op, "torch.reshape(" + in(op, 0) + ", " + dims(op.shape()) + ")");
            case PERMUTE -> viewLet(op, "torch.permute(" + in(op, 0) + ", " + ints(op.attrsAsInts(0)) + ")");
            case EXPAND -> viewLet(op, "torch.expand(" + in(op, 0) + ", " + dims(op.shape()) + ")");
            case SLICE -> viewLet(op, "torch.slice(" + in(op, 0) + ", " + op.attr(0) + ", " + op.attr(1) + ", " + op.attr(2) + ")");
            case CONCAT -> {
                List<String> parts = new ArrayList<>();
                for (int i = 0; i < op.inputCount(); i++) {
                    parts.add(in(op, i));
                }
                let(op, "torch.cat([" + String.join(", ", parts) + "], " + op.attr(0) + ")");
            }
            case GATHER -> let(op, "torch.reshape(torch.index_select(" + in(op, 0) + ", " + op.attr(0) + ", torch.reshape(" + in(op, 1)
                    + ", [-1])), " + dims(type(op.output(0)).shape()) + ")");
            case SCATTER_ADD -> scatterAdd(op);
            case NEG -> call(op, "torch.neg");
            case EXP -> call(op, "torch.exp");
            case LOG -> call(op, "torch.log");
            case SQRT -> call(op, "torch.sqrt");
            case TANH -> call(op, "torch.tanh");
            case RECIPROCAL -> call(op, "torch.reciprocal");
            case ERF -> call(op, "torch.erf");
            case ADD -> call(op, "torch.add");
            case SUB -> call(op, "torch.sub");
            case MUL -> call(op, "torch.mul");
            case DIV -> let(op, "torch.div(" + in(op, 0) + ", " + in(op, 1)
                    + (type(op.input(0)).dtype().isInteger() ? ", rounding_mode=\"trunc\")" : ")"));
            case MAXIMUM -> call(op, "torch.maximum");
            case LT -> call(op, "torch.lt");
            case EQ -> call(op, "torch.eq");
            case WHERE -> call(op, "torch.where");
            case SUM -> sum(op);
            case MAX -> max(op);
            case ARGMAX -> let(op, "torch.argmax(" + in(op, 0) + ", " + op.attr(0) + ", " + bool(op.flag(1)) + ")");
            case MATMUL -> let(op, matmul(in(op, 0), in(op, 1), op.flag(0), op.flag(1), type(op.input(1)).shape().rank()));
            case SOFTMAX -> let(op, "torch.softmax(" + in(op, 0) + ", -1)");
            case SOFTMAX_BACKWARD -> let(op, softmaxBackward(in(op, 0), in(op, 1)));
            case LAYER_NORM -> let(op, "torch.layer_norm(" + in(op, 0) + ", [" + type(op.input(0)).shape().dim(-1) + "], " + optional(op, 1)
                    + ", " + optional(op, 2) + ", " + number(op.constant(0)) + ")");
            case LAYER_NORM_BACKWARD -> layerNormBackward(op);
            case GELU -> let(op, op.flag(0) ? geluTanh(in(op, 0)) : "torch.gelu(" + in(op, 0) + ")");
            case GELU_BACKWARD -> geluBackward(op);
            case CAUSAL_ATTENTION -> let(op, "torch.matmul(" + attentionProbs(op) + ", " + in(op, 2) + ")");
            case CAUSAL_ATTENTION_BACKWARD -> attentionBackward(op);
            case SOFTMAX_CROSS_ENTROPY -> crossEntropy(op);
            case SOFTMAX_CROSS_ENTROPY_BACKWARD -> crossEntropyBackward(op);
            case ADAMW_UPDATE -> adamW(op);
        }
    }

    private void scatterAdd(Op op) {
        Shape shape = op.shape();
        int axis = (int) op.attr(0);
        Shape flat = shape.with(axis, (int) type(op.input(0)).shape().numel());
        DType dtype = type(op.input(1)).dtype();
        let(op, "torch.index_add(torch.zeros(" + dims(shape) + ", dtype=" + code(dtype) + "), " + axis + ", torch.reshape(" + in(op, 0)
                + ", [-1]), torch.reshape(" + in(op, 1) + ", " + dims(flat) + "))");
    }

    private void sum(Op op) {
        int[] axes = op.attrsAsInts(1);
        DType dtype = type(op.input(0)).dtype();
        if (axes.length == 0) {
            let(op, "torch.clone(" + in(op, 0) + ")");
            return;
        }
        String sum = "torch.sum(" + in(op, 0) + ", " + ints(axes) + ", " + bool(op.flag(0)) + ")";
        // PyTorch sums integers and booleans into I64
        let(op, dtype == DType.F32 || dtype == DType.F64 ? sum : "torch.to(" + sum + ", " + code(dtype) + ")");
    }

    private void max(Op op) {
        int[] axes = op.attrsAsInts(1);
        int rank = type(op.input(0)).shape().rank();
        if (axes.length == rank && !op.flag(0)) {
            let(op, "torch.max(" + in(op, 0) + ")");
        } else if (axes.length == 0) {
            let(op, "torch.clone(" + in(op, 0) + ")");
        } else {
            let(op, "torch.amax(" + in(op, 0) + ", " + ints(axes) + ", " + bool(op.flag(0)) + ")");
        }
    }

    private static String matmul(String a, String b, boolean transposeA, boolean transposeB, int rankB) {
        if (!transposeA && transposeB && rankB == 2) {
            return "torch.linear(" + a + ", " + b + ")";
        }
        String left = transposeA ? "torch.transpose(" + a + ", -2, -1)" : a;
        String right = transposeB ? "torch.transpose(" + b + ", -2, -1)" : b;
        return "torch.matmul(" + left + ", " + right + ")";
    }

    /** y (g - sum(g y)) over the last axis. */
    private static String softmaxBackward(String y, String g) {
        return "torch.mul(torch.sub(" + g + ", torch.sum(torch.mul(" + g + ", " + y + "), [-1], True)), " + y + ")";
    }

    private void layerNormBackward(Op op) {
        int c = type(op.input(0)).shape().dim(-1);
        String w = optional(op, 1);
        String b = optional(op, 2);
        String t = temp(op, "stats");
        line(t + " = torch.native_layer_norm(" + in(op, 0) + ", [" + c + "], " + w + ", " + b + ", " + number(op.constant(0)) + ")");
        String g = temp(op, "grads");
        line(g + " = torch.native_layer_norm_backward(" + in(op, 4) + ", " + in(op, 0) + ", [" + c + "], " + t + "[1], " + t + "[2], " + w
                + ", " + b + ", [True, " + bool(op.input(1) >= 0) + ", " + bool(op.input(2) >= 0) + "])");
        for (int i = 0; i < 3; i++) {
            if (op.output(i) >= 0) {
                line("v" + op.output(i) + " = " + g + "[" + i + "]");
            }
        }
    }

    /** GELU's tanh form as the eager kernel computes it, x sigmoid(2u): here 2u = x (2c + 2ca x^2), given x^2. */
    private static String twiceGeluArgument(String x, String x2) {
        return "torch.mul(torch.add(torch.mul(" + x2 + ", " + number(2 * SQRT_2_OVER_PI * CUBIC_COEFFICIENT) + "), "
                + number(2 * SQRT_2_OVER_PI) + "), " + x + ")";
    }

    private static String geluTanh(String x) {
        return "torch.mul(" + x + ", torch.sigmoid(" + twiceGeluArgument(x, "torch.mul(" + x + ", " + x + ")") + "))";
    }

    private void geluBackward(Op op) {
        String x = in(op, 0);
        String g = in(op, 2);
        if (!op.flag(0)) {
            let(op, "torch.gelu_backward(" + g + ", " + x + ")");
            return;
        }
        String x2 = temp(op, "x2");
        String s = temp(op, "s");
        line(x2 + " = torch.mul(" + x + ", " + x + ")");
        line(s + " = torch.sigmoid(" + twiceGeluArgument(x, x2) + ")");
        String slope = "torch.mul(torch.add(torch.mul(" + x2 + ", " + number(3 * CUBIC_COEFFICIENT) + "), 1.0), "
                + number(2 * SQRT_2_OVER_PI) + ")";
        String derivative = "torch.add(torch.mul(torch.mul(torch.add(torch.neg(torch.mul(" + s + ", " + s + ")), " + s + "), " + slope + "), "
                + x + "), " + s + ")";
        let(op, "torch.mul(" + g + ", " + derivative + ")");
    }

    /** Writes the attention probabilities of a CAUSAL_ATTENTION(_BACKWARD) op to a temporary and returns its name. */
    private String attentionProbs(Op op) {
        int tq = type(op.input(0)).shape().dim(2);
        int tk = type(op.input(1)).shape().dim(2);
        String scores = temp(op, "scores");
        line(scores + " = torch.mul(torch.matmul(" + in(op, 0) + ", torch.transpose(" + in(op, 1) + ", -2, -1)), "
                + number(op.constant(0)) + ")");
        if (tq > 1) {
            line(scores + " = torch.masked_fill(" + scores + ", torch.triu(torch.ones([" + tq + ", " + tk + "], dtype=11), " + (tk - tq + 1)
                    + "), -float(\"inf\"))");
        }
        String probs = temp(op, "probs");
        line(probs + " = torch.softmax(" + scores + ", 3)");
        return probs;
    }

    /**
     * The backward PyTorch's autograd runs for the eager kernel's forward (which it differentiates),
     * op for op: its native softmax backward, the scale, and each matmul's backward (the key's
     * gradient as the transpose of the gradient of k^T), so that rounding matches the eager step.
     */
    private void attentionBackward(Op op) {
        String p = attentionProbs(op);
        String q = in(op, 0);
        String k = in(op, 1);
        String v = in(op, 2);
        String g = in(op, 4);
        String scale = number(op.constant(0));
        String dScores = temp(op, "dscores");
        line(dScores + " = torch.mul(torch._softmax_backward_data(torch.matmul(" + g + ", torch.transpose(" + v + ", -2, -1)), " + p
                + ", 3, " + code(type(op.input(0)).dtype()) + "), " + scale + ")");
        line("v" + op.output(0) + " = torch.matmul(" + dScores + ", " + k + ")");
        line("v" + op.output(1) + " = torch.transpose(torch.matmul(torch.transpose(" + q + ", -2, -1), " + dScores + "), -2, -1)");
        line("v" + op.output(2) + " = torch.matmul(torch.transpose(" + p + ", -2, -1), " + g + ")");
    }

    /** Writes log-probabilities, the safe target column and the per-row weights of a cross-entropy op; returns their names. */
    private String[] crossEntropyParts(Op op) {
        int n = type(op.input(0)).shape().dim(0);
        DType dtype = type(op.input(0)).dtype();
        String logp = temp(op, "logp");
        String keep = temp(op, "keep");
        String column = temp(op, "column");
        String weight = temp(op, "weight");
        line(logp + " = torch.log_softmax(" + in(op, 0) + ", 1)");
        line(keep + " = torch.ne(torch.to(" + in(op, 1) + ", 4), " + op.attr(0) + ")");
        line(column + " = torch.reshape(torch.where(" + keep + ", torch.to(" + in(op, 1) + ", 4), 0), [" + n + ", 1])");
        line(weight + " = torch.to(" + keep + ", " + code(dtype) + ")");
        line(weight + " = torch.reshape(torch.div(" + weight + ", torch.clamp_min(torch.sum(" + weight + "), 1.0)), [" + n + ", 1])");
        return new String[] {logp, column, weight};
    }

    private void crossEntropy(Op op) {
        String[] parts = crossEntropyParts(op);
        let(op, "torch.neg(torch.sum(torch.mul(torch.gather(" + parts[0] + ", 1, " + parts[1] + "), " + parts[2] + ")))");
    }

    private void crossEntropyBackward(Op op) {
        String[] parts = crossEntropyParts(op);
        String p = temp(op, "p");
        line(p + " = torch.exp(" + parts[0] + ")");
        String onTarget = "torch.sub(torch.gather(" + p + ", 1, " + parts[1] + "), 1.0)";
        let(op, "torch.mul(torch.mul(torch.scatter(" + p + ", 1, " + parts[1] + ", " + onTarget + "), " + parts[2] + "), " + in(op, 3) + ")");
    }

    /** torch.optim.AdamW's step: w (1 - lr wd), then w - (lr / bc1) m / (sqrt(v) / sqrt(bc2) + eps). */
    private void adamW(Op op) {
        int s = op.scalarSlot();
        String lr = "s[" + s + "]";
        String beta1 = "s[" + (s + 1) + "]";
        String beta2 = "s[" + (s + 2) + "]";
        String eps = "s[" + (s + 3) + "]";
        String wd = "s[" + (s + 4) + "]";
        String step = "l[" + op.longSlot() + "]";
        String p = in(op, 0);
        String g = in(op, 1);
        String m = "v" + op.output(1);
        String v = "v" + op.output(2);
        line(m + " = torch.add(torch.mul(" + in(op, 2) + ", " + beta1 + "), torch.mul(" + g + ", 1.0 - " + beta1 + "))");
        line(v + " = torch.add(torch.mul(" + in(op, 3) + ", " + beta2 + "), torch.mul(torch.mul(" + g + ", " + g + "), 1.0 - " + beta2 + "))");
        String denom = "torch.add(torch.mul(torch.sqrt(" + v + "), 1.0 / (1.0 - " + beta2 + " ** " + step + ") ** 0.5), " + eps + ")";
        line("v" + op.output(0) + " = torch.sub(torch.mul(" + p + ", 1.0 - " + lr + " * " + wd + "), torch.mul(torch.div(" + m + ", " + denom
                + "), " + lr + " / (1.0 - " + beta1 + " ** " + step + ")))");
    }

    // ---- helpers --------------------------------------------------------------------------------

    private void let(Op op, String expression) {
        line("v" + op.output(0) + " = " + expression);
    }

    private void viewLet(Op op, String expression) {
        let(op, expression);
        view(op);
    }

    /** Marks op's output as sharing its input's storage. */
    private void view(Op op) {
        storageRoot[op.output(0)] = storageRoot[op.input(0)];
    }

    private void call(Op op, String function) {
        List<String> args = new ArrayList<>();
        for (int i = 0; i < op.inputCount(); i++) {
            args.add(in(op, i));
        }
        let(op, function + "(" + String.join(", ", args) + ")");
    }

    private void line(String statement) {
        body.append("    ").append(statement).append('\n');
    }

    private static String temp(Op op, String what) {
        return "t" + op.output(0) + "_" + what;
    }

    private static String in(Op op, int i) {
        return "v" + op.input(i);
    }

    private static String optional(Op op, int i) {
        return op.input(i) >= 0 ? in(op, i) : "None";
    }

    private ValueType type(int id) {
        return program.type(id);
    }

    private static String dims(Shape shape) {
        int[] d = new int[shape.rank()];
        for (int i = 0; i < d.length; i++) {
            d[i] = shape.dim(i);
        }
        return ints(d);
    }

    private static String ints(int[] values) {
        // an empty list literal would be typed List[Tensor]
        return values.length == 0 ? "annotate(List[int], [])" : Arrays.toString(values);
    }

    private static String bool(boolean b) {
        return b ? "True" : "False";
    }

    /** A float literal TorchScript reads back to the same double. */
    static String number(double d) {
        if (Double.isNaN(d)) {
            return "float(\"nan\")";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "float(\"inf\")" : "-float(\"inf\")";
        }
        return Double.toString(d).toLowerCase(Locale.ROOT);
    }

    /** PyTorch's ScalarType number for {@code dtype}. */
    static int code(DType dtype) {
        return switch (dtype) {
            case I32 -> 3;
            case I64 -> 4;
            case F16 -> 5;
            case F32 -> 6;
            case F64 -> 7;
            case BOOL -> 11;
            case BF16 -> 15;
        };
    }
}
