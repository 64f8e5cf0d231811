package dev.llmforge.autograd;

import dev.llmforge.spi.Backend;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Dispatch;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The primitive operations with their validation and backward rules. Every rule is written with
 * these same operations, so any backend that implements the primitives trains.
 */
public final class Ops {
    private Ops() {
    }

    // ---- binary ---------------------------------------------------------------------------------------

    public static Tensor add(Tensor a, Tensor b) {
        Shape out = binaryShape("add", a, b);
        Tensor r = Dispatch.create("add", a.backend(), out, a.dtype(), k -> k.add(a.nativeTensor(), b.nativeTensor()));
        return Node.record("add", r, g -> new Tensor[] {sumTo(g, a.shape()), sumTo(g, b.shape())}, a, b);
    }

    public static Tensor sub(Tensor a, Tensor b) {
        Shape out = binaryShape("sub", a, b);
        Tensor r = Dispatch.create("sub", a.backend(), out, a.dtype(), k -> k.sub(a.nativeTensor(), b.nativeTensor()));
        return Node.record("sub", r, g -> new Tensor[] {sumTo(g, a.shape()), b.requiresGrad() ? sumTo(neg(g), b.shape()) : null}, a, b);
    }

    public static Tensor mul(Tensor a, Tensor b) {
        Shape out = binaryShape("mul", a, b);
        Tensor r = Dispatch.create("mul", a.backend(), out, a.dtype(), k -> k.mul(a.nativeTensor(), b.nativeTensor()));
        return Node.record("mul", r, g -> new Tensor[] {
            a.requiresGrad() ? sumTo(mul(g, b), a.shape()) : null,
            b.requiresGrad() ? sumTo(mul(g, a), b.shape()) : null}, a, b);
    }

    public static Tensor div(Tensor a, Tensor b) {
        Shape out = binaryShape("div", a, b);
        Tensor r = Dispatch.create("div", a.backend(), out, a.dtype(), k -> k.div(a.nativeTensor(), b.nativeTensor()));
        return Node.record("div", r, g -> new Tensor[] {
            a.requiresGrad() ? sumTo(div(g, b), a.shape()) : null,
            b.requiresGrad() ? sumTo(neg(div(mul(g, r), b)), b.shape()) : null}, a, b);
    }

    /** Element-wise maximum; where a == b the gradient goes to a. */
    public static Tensor maximum(Tensor a, Tensor b) {
        Shape out = binaryShape("maximum", a, b);
        Tensor r = Dispatch.create("maximum", a.backend(), out, a.dtype(), k -> k.maximum(a.nativeTensor(), b.nativeTensor()));
        return Node.record("maximum", r, g -> {
            Tensor bWins = lt(a, b);
            Tensor zero = g.scalarLike(0);
            return new Tensor[] {sumTo(where(bWins, zero, g), a.shape()), sumTo(where(bWins, g, zero), b.shape())};
        }, a, b);
    }

    // ---- compare / select -------------------------------------------------------------------------------

    public static Tensor lt(Tensor a, Tensor b) {
        Shape out = binaryShape("lt", a, b);
        return Dispatch.create("lt", a.backend(), out, DType.BOOL, k -> k.lt(a.nativeTensor(), b.nativeTensor()));
    }

    public static Tensor eq(Tensor a, Tensor b) {
        Shape out = binaryShape("eq", a, b);
        return Dispatch.create("eq", a.backend(), out, DType.BOOL, k -> k.eq(a.nativeTensor(), b.nativeTensor()));
    }

    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        sameBackend("where", cond, a, b);
        if (cond.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("where: condition must be BOOL, got " + cond.dtype() + " " + cond.shape());
        }
        sameDtype("where", a, b);
        Shape out = Shape.broadcast("where", cond.shape(), Shape.broadcast("where", a.shape(), b.shape()));
        Tensor r = Dispatch.create("where", a.backend(), out, a.dtype(),
                k -> k.where(cond.nativeTensor(), a.nativeTensor(), b.nativeTensor()));
        return Node.record("where", r, g -> {
            Tensor zero = g.scalarLike(0);
            return new Tensor[] {null,
                a.requiresGrad() ? sumTo(where(cond, g, zero), a.shape()) : null,
                b.requiresGrad() ? sumTo(where(cond, zero, g), b.shape()) : null};
        }, cond, a, b);
    }

    // ---- unary -----------------------------------------------------------------------------------------

    public static Tensor neg(Tensor x) {
        Tensor r = unary("neg", x, false, k -> k.neg(x.nativeTensor()));
        return Node.record("neg", r, g -> new Tensor[] {neg(g)}, x);
    }

    public static Tensor exp(Tensor x) {
        Tensor r = unary("exp", x, true, k -> k.exp(x.nativeTensor()));
        return Node.record("exp", r, g -> new Tensor[] {mul(g, r)}, x);
    }

    public static Tensor log(Tensor x) {
        Tensor r = unary("log", x, true, k -> k.log(x.nativeTensor()));
        return Node.record("log", r, g -> new Tensor[] {div(g, x)}, x);
    }

    public static Tensor sqrt(Tensor x) {
        Tensor r = unary("sqrt", x, true, k -> k.sqrt(x.nativeTensor()));
        return Node.record("sqrt", r, g -> new Tensor[] {div(g, mul(r, r.scalarLike(2)))}, x);
    }

    public static Tensor tanh(Tensor x) {
        Tensor r = unary("tanh", x, true, k -> k.tanh(x.nativeTensor()));
        return Node.record("tanh", r, g -> new Tensor[] {mul(g, sub(r.scalarLike(1), mul(r, r)))}, x);
    }

    public static Tensor reciprocal(Tensor x) {
        Tensor r = unary("reciprocal", x, true, k -> k.reciprocal(x.nativeTensor()));
        return Node.record("reciprocal", r, g -> new Tensor[] {neg(mul(g, mul(r, r)))}, x);
    }

    public static Tensor erf(Tensor x) {
        Tensor r = unary("erf", x, true, k -> k.erf(x.nativeTensor()));
        return Node.record("erf", r, g -> {
            Tensor density = mul(exp(neg(mul(x, x))), x.scalarLike(2 / Math.sqrt(Math.PI)));
            return new Tensor[] {mul(g, density)};
        }, x);
    }

    // ---- reductions --------------------------------------------------------------------------------------

    public static Tensor sum(Tensor x, int[] axes, boolean keepDim) {
        int[] ax = normaliseAxes("sum", x.shape(), axes);
        Shape out = Shape.reduced(x.shape(), ax, keepDim);
        Tensor r = Dispatch.create("sum", x.backend(), out, x.dtype(), k -> k.sum(x.nativeTensor(), ax, keepDim));
        return Node.record("sum", r, g -> new Tensor[] {expand(reshape(g, Shape.reduced(x.shape(), ax, true)), x.shape())}, x);
    }

    /** Maximum over axes; tied maxima share the gradient equally. */
    public static Tensor max(Tensor x, int[] axes, boolean keepDim) {
        int[] ax = normaliseAxes("max", x.shape(), axes);
        if (ax.length == 0) {
            throw new IllegalArgumentException("max: needs at least one axis, shape " + x.shape());
        }
        for (int a : ax) {
            if (x.shape().dim(a) == 0) {
                throw new IllegalArgumentException("max: axis " + a + " of shape " + x.shape() + " is empty");
            }
        }
        Shape out = Shape.reduced(x.shape(), ax, keepDim);
        Tensor r = Dispatch.create("max", x.backend(), out, x.dtype(), k -> k.max(x.nativeTensor(), ax, keepDim));
        return Node.record("max", r, g -> {
            Shape kept = Shape.reduced(x.shape(), ax, true);
            Tensor hit = where(eq(x, reshape(r, kept)), x.scalarLike(1), x.scalarLike(0));
            Tensor share = div(hit, sum(hit, ax, true));
            return new Tensor[] {mul(share, reshape(g, kept))};
        }, x);
    }

    public static Tensor argmax(Tensor x, int axis, boolean keepDim) {
        int a = x.shape().axis(axis);
        if (x.shape().dim(a) == 0) {
            throw new IllegalArgumentException("argmax: axis " + axis + " of shape " + x.shape() + " is empty");
        }
        Shape out = Shape.reduced(x.shape(), new int[] {a}, keepDim);
        return Dispatch.create("argmax", x.backend(), out, DType.I64, k -> k.argmax(x.nativeTensor(), a, keepDim));
    }

    // ---- linear algebra ----------------------------------------------------------------------------------

    /** Batched matmul of the last two dims; batch dims broadcast. */
    public static Tensor matmul(Tensor a, Tensor b, boolean transA, boolean transB) {
        sameBackend("matmul", a, b);
        sameDtype("matmul", a, b);
        Shape out = Shape.matmul(a.shape(), b.shape(), transA, transB);
        Tensor r = Dispatch.create("matmul", a.backend(), out, a.dtype(), k -> k.matmul(a.nativeTensor(), b.nativeTensor(), transA, transB));
        return Node.record("matmul", r, g -> {
            Tensor ga = null;
            Tensor gb = null;
            if (a.requiresGrad()) {
                ga = transA ? matmul(b, g, transB, true) : matmul(g, b, false, !transB);
                ga = sumTo(ga, a.shape());
            }
            if (b.requiresGrad()) {
                gb = transB ? matmul(g, a, true, transA) : matmul(a, g, !transA, false);
                gb = sumTo(gb, b.shape());
            }
            return new Tensor[] {ga, gb};
        }, a, b);
    }

    // ---- movement ----------------------------------------------------------------------------------------

    public static Tensor reshape(Tensor x, Shape shape) {
        if (shape.numel() != x.shape().numel()) {
            throw new IllegalArgumentException("reshape: cannot reshape " + x.shape() + " (" + x.shape().numel()
                    + " elements) to " + shape + " (" + shape.numel() + " elements)");
        }
        if (shape.equals(x.shape())) {
            return x;
        }
        Tensor r = Dispatch.create("reshape", x.backend(), shape, x.dtype(), k -> k.reshape(x.nativeTensor(), shape));
        return Node.record("reshape", r, g -> new Tensor[] {reshape(g, x.shape())}, x);
    }

    /** Resolves one -1 entry in {@code dims} against {@code from}'s element count. */
    public static Shape inferShape(Shape from, int[] dims) {
        int unknown = -1;
        long known = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == -1) {
                if (unknown >= 0) {
                    throw new IllegalArgumentException("reshape: only one -1 allowed in " + Arrays.toString(dims));
                }
                unknown = i;
            } else {
                known *= dims[i];
            }
        }
        if (unknown < 0) {
            return Shape.of(dims);
        }
        if (known == 0 || from.numel() % known != 0) {
            throw new IllegalArgumentException("reshape: cannot reshape " + from + " to " + Arrays.toString(dims));
        }
        int[] d = dims.clone();
        d[unknown] = (int) (from.numel() / known);
        return Shape.of(d);
    }

    public static Tensor permute(Tensor x, int[] axes) {
        int[] ax = new int[axes.length];
        boolean identity = true;
        for (int i = 0; i < axes.length; i++) {
            ax[i] = axes[i] < 0 ? axes[i] + x.rank() : axes[i];
            identity &= ax[i] == i;
        }
        Shape out = Shape.permuted(x.shape(), ax); // rejects anything but a permutation of x's axes
        if (identity) {
            return x;
        }
        Tensor r = Dispatch.create("permute", x.backend(), out, x.dtype(), k -> k.permute(x.nativeTensor(), ax));
        return Node.record("permute", r, g -> {
            int[] inverse = new int[ax.length];
            for (int i = 0; i < ax.length; i++) {
                inverse[ax[i]] = i;
            }
            return new Tensor[] {permute(g, inverse)};
        }, x);
    }

    public static Tensor expand(Tensor x, Shape shape) {
        if (!x.shape().broadcastsTo(shape)) {
            throw new IllegalArgumentException("expand: shape " + x.shape() + " cannot be broadcast to " + shape);
        }
        if (shape.equals(x.shape())) {
            return x;
        }
        Tensor r = Dispatch.create("expand", x.backend(), shape, x.dtype(), k -> k.expand(x.nativeTensor(), shape));
        return Node.record("expand", r, g -> new Tensor[] {sumTo(g, x.shape())}, x);
    }

    public static Tensor slice(Tensor x, int axis, int start, int end) {
        int a = x.shape().axis(axis);
        int size = x.shape().dim(a);
        if (start < 0 || end < start || end > size) {
            throw new IllegalArgumentException("slice: range [" + start + ", " + end + ") is out of bounds for axis " + a
                    + " of shape " + x.shape());
        }
        Shape out = x.shape().with(a, end - start);
        Tensor r = Dispatch.create("slice", x.backend(), out, x.dtype(), k -> k.slice(x.nativeTensor(), a, start, end));
        return Node.record("slice", r, g -> {
            List<Tensor> parts = new ArrayList<>(3);
            if (start > 0) {
                parts.add(zeros(g, x.shape().with(a, start)));
            }
            parts.add(g);
            if (end < size) {
                parts.add(zeros(g, x.shape().with(a, size - end)));
            }
            return new Tensor[] {parts.size() == 1 ? g : concat(parts, a)};
        }, x);
    }

    public static Tensor concat(List<Tensor> xs, int axis) {
        List<Shape> shapes = new ArrayList<>(xs.size());
        for (Tensor t : xs) {
            sameBackend("concat", xs.get(0), t);
            sameDtype("concat", xs.get(0), t);
            shapes.add(t.shape());
        }
        Shape out = Shape.concatenated(shapes, axis);
        Tensor first = xs.get(0);
        int a = first.shape().axis(axis);
        if (xs.size() == 1) {
            return first;
        }
        List<NativeTensor> handles = new ArrayList<>(xs.size());
        for (Tensor t : xs) {
            handles.add(t.nativeTensor());
        }
        Tensor r = Dispatch.create("concat", first.backend(), out, first.dtype(), k -> k.concat(handles, a));
        return Node.record("concat", r, g -> {
            Tensor[] grads = new Tensor[xs.size()];
            int offset = 0;
            for (int i = 0; i < grads.length; i++) {
                int len = xs.get(i).dim(a);
                grads[i] = xs.get(i).requiresGrad() ? slice(g, a, offset, offset + len) : null;
                offset += len;
            }
            return grads;
        }, xs.toArray(new Tensor[0]));
    }

    /** NumPy take: {@code src.shape[:axis] + indices.shape + src.shape[axis+1:]}. */
    public static Tensor gather(Tensor src, int axis, Tensor indices) {
        sameBackend("gather", src, indices);
        int a = src.shape().axis(axis);
        checkIndices("gather", indices, src.shape().dim(a), src.shape(), a);
        Shape out = Shape.gathered(src.shape(), a, indices.shape());
        Tensor r = Dispatch.create("gather", src.backend(), out, src.dtype(), k -> k.gather(src.nativeTensor(), a, indices.nativeTensor()));
        return Node.record("gather", r, g -> new Tensor[] {scatterAdd(src.shape(), a, indices, g), null}, src, indices);
    }

    /** Adds slices of {@code updates} into a zero tensor of {@code shape} at {@code indices} along {@code axis}. */
    public static Tensor scatterAdd(Shape shape, int axis, Tensor indices, Tensor updates) {
        sameBackend("scatterAdd", updates, indices);
        int a = shape.axis(axis);
        checkIndices("scatterAdd", indices, shape.dim(a), shape, a);
        Shape expected = Shape.gathered(shape, a, indices.shape());
        if (!expected.equals(updates.shape())) {
            throw new IllegalArgumentException("scatterAdd: updates have shape " + updates.shape() + " but indices "
                    + indices.shape() + " into " + shape + " along axis " + a + " need " + expected);
        }
        Tensor r = Dispatch.create("scatterAdd", updates.backend(), shape, updates.dtype(),
                k -> k.scatterAdd(shape, a, indices.nativeTensor(), updates.nativeTensor()));
        return Node.record("scatterAdd", r, g -> new Tensor[] {null, gather(g, a, indices)}, indices, updates);
    }

    public static Tensor cast(Tensor x, DType dtype) {
        if (x.dtype() == dtype) {
            return x;
        }
        if (!x.backend().dtypes().contains(dtype)) {
            throw new IllegalArgumentException("cast: backend " + x.backend().name() + " does not support " + dtype);
        }
        Tensor r = Dispatch.create("cast", x.backend(), x.shape(), dtype, k -> k.cast(x.nativeTensor(), dtype));
        if (!dtype.isFloating() || !x.dtype().isFloating()) {
            return r;
        }
        return Node.record("cast", r, g -> new Tensor[] {cast(g, x.dtype())}, x);
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /** Sums {@code g} over the dims that broadcasting added or expanded, giving {@code shape}. */
    public static Tensor sumTo(Tensor g, Shape shape) {
        if (g.shape().equals(shape)) {
            return g;
        }
        int lead = g.rank() - shape.rank();
        List<Integer> axes = new ArrayList<>();
        for (int i = 0; i < g.rank(); i++) {
            if (i < lead || (shape.dim(i - lead) == 1 && g.dim(i) != 1)) {
                axes.add(i);
            }
        }
        int[] ax = axes.stream().mapToInt(Integer::intValue).toArray();
        return reshape(sum(g, ax, true), shape);
    }

    static Tensor zeros(Tensor like, Shape shape) {
        return Tensor.on(like.backend(), like.device()).zeros(shape, like.dtype());
    }

    private static void checkIndices(String op, Tensor indices, int size, Shape target, int axis) {
        if (indices.dtype() != DType.I32 && indices.dtype() != DType.I64) {
            throw new IllegalArgumentException(op + ": indices must be I32 or I64, got " + indices.dtype());
        }
        if (indices.shape().numel() == 0 || indices.knownWithin(0, size)) {
            return; // nothing to check, or the values are known without a device read
        }
        long[] values = indices.toLongArray();
        for (long v : values) {
            if (v < 0 || v >= size) {
                throw new IndexOutOfBoundsException(op + ": index " + v + " is out of range [0, " + size + ") for axis "
                        + axis + " of shape " + target);
            }
        }
    }

    /** Distinct, sorted, non-negative axes. */
    static int[] normaliseAxes(String op, Shape shape, int[] axes) {
        int[] out = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            out[i] = shape.axis(axes[i]);
        }
        Arrays.sort(out);
        for (int i = 1; i < out.length; i++) {
            if (out[i] == out[i - 1]) {
                throw new IllegalArgumentException(op + ": axis " + out[i] + " repeated in " + Arrays.toString(axes));
            }
        }
        return out;
    }

    private static Tensor unary(String op, Tensor x, boolean floatingOnly, java.util.function.Function<dev.llmforge.spi.Kernels, NativeTensor> kernel) {
        if (floatingOnly && !x.dtype().isFloating()) {
            throw new IllegalArgumentException(op + ": needs a floating-point tensor, got " + x.describe());
        }
        return Dispatch.create(op, x.backend(), x.shape(), x.dtype(), kernel);
    }

    private static Shape binaryShape(String op, Tensor a, Tensor b) {
        sameBackend(op, a, b);
        sameDtype(op, a, b);
        return Shape.broadcast(op, a.shape(), b.shape());
    }

    static void sameBackend(String op, Tensor... ts) {
        Backend b = ts[0].backend();
        for (Tensor t : ts) {
            if (t.backend() != b) {
                throw new IllegalArgumentException(op + ": tensors live on different backends: " + ts[0].describe() + " and " + t.describe());
            }
            if (!t.device().equals(ts[0].device())) {
                throw new IllegalArgumentException(op + ": tensors live on different devices: " + ts[0].device() + " and " + t.device());
            }
        }
    }

    static void sameDtype(String op, Tensor a, Tensor b) {
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException(op + ": dtypes differ: " + a.shape() + " " + a.dtype() + " and "
                    + b.shape() + " " + b.dtype() + " (cast one explicitly)");
        }
    }
}
