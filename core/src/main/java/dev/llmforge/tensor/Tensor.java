package dev.llmforge.tensor;

import dev.llmforge.autograd.Autograd;
import dev.llmforge.autograd.Node;
import dev.llmforge.autograd.Ops;
import dev.llmforge.spi.Backend;
import dev.llmforge.spi.NativeTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * An n-dimensional array on some backend, with reverse-mode autograd. Operations dispatch at run
 * time to the backend the tensor lives on; results are registered with the current
 * {@link TensorScope} (if any) and are closed with it.
 *
 * <p>A tensor made outside every scope belongs to the caller, who closes it.
 */
public final class Tensor implements AutoCloseable {
    private final Backend backend;
    private final Shape shape;
    private final DType dtype;
    /** The tensor whose storage this one shares ({@link #detach()}), or null if it owns {@link #data}. */
    private final Tensor storageOwner;
    private NativeTensor data;
    private boolean closed;
    private TensorScope scope;

    private boolean requiresGrad;
    private Tensor grad;
    private Node gradFn;
    /** Handles closed together with this tensor (what its gradient function needs), or null. */
    private List<NativeTensor> held;
    /** For integer tensors uploaded from host arrays (and reshapes of them): {least, greatest} element; else null. */
    private long[] knownRange;

    private Tensor(Backend backend, NativeTensor data, Tensor storageOwner) {
        this.backend = backend;
        this.data = data;
        this.storageOwner = storageOwner;
        NativeTensor n = storageOwner != null ? storageOwner.nativeTensor() : data;
        this.shape = n.shape();
        this.dtype = n.dtype();
    }

    /**
     * Wraps a handle a backend returned; the new tensor owns it and joins the current scope.
     * For core and backend code; applications create tensors with the factories below.
     */
    public static Tensor fromNative(Backend backend, NativeTensor data) {
        Tensor t = new Tensor(backend, data, null);
        TensorScope.register(t);
        return t;
    }

    // ---- factories on the default backend (see Backends) ------------------------------------------

    /** Factories bound to a backend and device. */
    public static TensorFactory on(Backend backend, Device device) {
        return new TensorFactory(backend, device);
    }

    /** Factories on the default backend's CPU. */
    public static TensorFactory on(Backend backend) {
        return new TensorFactory(backend, Device.cpu());
    }

    public static Tensor of(float[] data, int... shape) {
        return TensorFactory.defaults().of(data, shape);
    }

    public static Tensor of(double[] data, int... shape) {
        return TensorFactory.defaults().of(data, shape);
    }

    public static Tensor of(int[] data, int... shape) {
        return TensorFactory.defaults().of(data, shape);
    }

    public static Tensor of(long[] data, int... shape) {
        return TensorFactory.defaults().of(data, shape);
    }

    public static Tensor scalar(double value, DType dtype) {
        return TensorFactory.defaults().scalar(value, dtype);
    }

    public static Tensor zeros(Shape shape, DType dtype) {
        return TensorFactory.defaults().zeros(shape, dtype);
    }

    public static Tensor ones(Shape shape, DType dtype) {
        return TensorFactory.defaults().ones(shape, dtype);
    }

    public static Tensor full(Shape shape, double value, DType dtype) {
        return TensorFactory.defaults().full(shape, value, dtype);
    }

    // ---- metadata ---------------------------------------------------------------------------------

    public Shape shape() {
        return shape;
    }

    public int dim(int axis) {
        return shape.dim(axis);
    }

    public int rank() {
        return shape.rank();
    }

    public DType dtype() {
        return dtype;
    }

    public Device device() {
        return nativeTensor().device();
    }

    public Backend backend() {
        return backend;
    }

    /** The backend handle. For core and backend code. */
    public NativeTensor nativeTensor() {
        if (storageOwner != null) {
            checkOpen();
            return storageOwner.nativeTensor();
        }
        checkOpen();
        return data;
    }

    public boolean isClosed() {
        return closed || (storageOwner != null && storageOwner.isClosed());
    }

    /** The scope that will close this tensor, or null if the caller owns it. */
    public TensorScope scope() {
        return scope;
    }

    void setScope(TensorScope scope) {
        this.scope = scope;
    }

    /** Takes this tensor out of its scope: the caller now owns it and closes it. Returns this. */
    public Tensor detachFromScope() {
        this.scope = null;
        return this;
    }

    /** "[2, 3] F32 on djl" */
    public String describe() {
        return shape + " " + dtype + " on " + backend.name();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("tensor " + describe() + " is closed (close() was called or its TensorScope ended);"
                    + " keep it with scope.keep(tensor) to use it after its scope");
        }
        if (storageOwner != null && storageOwner.isClosed()) {
            throw new IllegalStateException("tensor " + describe() + " shares storage with a tensor that is closed");
        }
    }

    // ---- host access --------------------------------------------------------------------------------

    /** Elements as a little-endian buffer in row-major order. */
    public ByteBuffer toBuffer() {
        return Dispatch.kernels(backend).toBuffer(nativeTensor()).order(ByteOrder.LITTLE_ENDIAN);
    }

    public float[] toFloatArray() {
        return HostArrays.toFloats(this);
    }

    public double[] toDoubleArray() {
        return HostArrays.toDoubles(this);
    }

    public int[] toIntArray() {
        return HostArrays.toInts(this);
    }

    public long[] toLongArray() {
        return HostArrays.toLongs(this);
    }

    public boolean[] toBooleanArray() {
        return HostArrays.toBooleans(this);
    }

    /** The single element of a one-element tensor, as a double. */
    public double item() {
        if (shape.numel() != 1) {
            throw new IllegalStateException("item() needs a one-element tensor, got shape " + shape);
        }
        return toDoubleArray()[0];
    }

    // ---- autograd -----------------------------------------------------------------------------------

    /** Marks a leaf tensor as a parameter whose gradient backward() computes. Returns this. */
    public Tensor requiresGrad(boolean value) {
        if (gradFn != null) {
            throw new IllegalStateException("requiresGrad can only be set on a leaf tensor; this one is the result of " + gradFn.name());
        }
        if (value && !dtype.isFloating()) {
            throw new IllegalArgumentException("only floating-point tensors can require gradients, this one is " + dtype);
        }
        this.requiresGrad = value;
        return this;
    }

    /** True for leaves marked with requiresGrad and for results computed from them while grad mode was on. */
    public boolean requiresGrad() {
        return requiresGrad || gradFn != null;
    }

    public boolean isLeaf() {
        return gradFn == null;
    }

    /** The accumulated gradient of a leaf, or null before the first backward(). Owned by this tensor. */
    public Tensor grad() {
        return grad;
    }

    /** For autograd: installs the accumulated gradient (owned by this tensor from now on). */
    public void setGrad(Tensor g) {
        if (g != null && !g.shape.equals(shape)) {
            throw new IllegalArgumentException("gradient shape " + g.shape + " does not match tensor shape " + shape);
        }
        if (grad != null && grad != g) {
            grad.close();
        }
        grad = g == null ? null : g.detachFromScope();
    }

    /** Drops the accumulated gradient. */
    public void zeroGrad() {
        setGrad(null);
    }

    public Node gradFn() {
        return gradFn;
    }

    /** For autograd: records the node that produced this tensor. */
    public void setGradFn(Node node) {
        this.gradFn = node;
    }

    /** Backpropagates from this scalar (seed 1). */
    public void backward() {
        Autograd.backward(this, null);
    }

    /** Backpropagates with {@code seed} as the gradient of this tensor. */
    public void backward(Tensor seed) {
        Autograd.backward(this, seed);
    }

    /**
     * A tensor sharing this one's storage, cut off from the autograd graph. It owns nothing and
     * joins no scope; it becomes unusable when the tensor it shares storage with is closed.
     */
    public Tensor detach() {
        Tensor root = storageOwner != null ? storageOwner : this;
        root.checkOpen();
        return new Tensor(backend, null, root);
    }

    /**
     * Replaces this tensor's values by {@code source}'s, taking over its storage (source is
     * closed afterwards). Used by optimisers to update parameters in place.
     */
    public void replaceWith(Tensor source) {
        if (storageOwner != null) {
            throw new IllegalStateException("replaceWith: cannot replace the storage of a detached view");
        }
        if (source.storageOwner != null) {
            throw new IllegalArgumentException("replaceWith: source must own its storage, not be a detached view");
        }
        if (!source.shape.equals(shape) || source.dtype != dtype || source.backend != backend) {
            throw new IllegalArgumentException("replaceWith: expected " + describe() + ", got " + source.describe());
        }
        checkOpen();
        NativeTensor incoming = source.nativeTensor();
        if (incoming != data) {
            data.close();
            data = incoming;
        }
        knownRange = source.knownRange; // the values are now source's
        source.data = null;
        source.closed = true;
        source.closeHeld();
    }

    /**
     * For fused in-place kernels: adopts {@code handle} as this tensor's storage (closing the old one
     * unless it is the same handle).
     */
    public void adoptNative(NativeTensor handle) {
        if (storageOwner != null) {
            throw new IllegalStateException("cannot replace the storage of a detached view");
        }
        checkOpen();
        if (!handle.shape().equals(shape) || handle.dtype() != dtype) {
            throw new IllegalArgumentException("adoptNative: expected " + shape + " " + dtype + ", got " + handle.shape() + " " + handle.dtype());
        }
        if (handle != data) {
            data.close();
            data = handle;
        }
        knownRange = null; // new values, range unknown
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (storageOwner == null && data != null) {
            data.close();
        }
        data = null;
        gradFn = null;
        if (grad != null) {
            grad.close();
            grad = null;
        }
        closeHeld();
    }

    /**
     * For autograd: ties {@code handle}'s lifetime to this tensor, closing it when this tensor closes
     * (e.g. the saved results of a fused forward, which the output's backward needs).
     */
    public void holdUntilClosed(NativeTensor handle) {
        checkOpen();
        if (held == null) {
            held = new ArrayList<>(4);
        }
        held.add(handle);
    }

    private void closeHeld() {
        if (held != null) {
            for (NativeTensor h : held) {
                h.close();
            }
            held = null;
        }
    }

    /**
     * True if every element is known, without reading the device, to lie in [{@code from}, {@code to}):
     * integer tensors made from host arrays remember their range, so index checks need no device read.
     * False when unknown.
     */
    public boolean knownWithin(long from, long to) {
        return knownRange != null && knownRange[0] >= from && knownRange[1] < to;
    }

    /** Records the least and greatest element of an integer tensor just uploaded from the host. */
    void knowRange(long least, long greatest) {
        knownRange = new long[] {least, greatest};
    }

    /** A reshape has this tensor's elements, so it inherits the known range. */
    private Tensor sameElements(Tensor reshaped) {
        if (reshaped != this && knownRange != null) {
            reshaped.knownRange = knownRange;
        }
        return reshaped;
    }

    // ---- fluent operations (see Ops for their gradients) ---------------------------------------------

    public Tensor add(Tensor other) {
        return Ops.add(this, other);
    }

    public Tensor add(double value) {
        return Ops.add(this, scalarLike(value));
    }

    public Tensor sub(Tensor other) {
        return Ops.sub(this, other);
    }

    public Tensor sub(double value) {
        return Ops.sub(this, scalarLike(value));
    }

    public Tensor mul(Tensor other) {
        return Ops.mul(this, other);
    }

    public Tensor mul(double value) {
        return Ops.mul(this, scalarLike(value));
    }

    public Tensor div(Tensor other) {
        return Ops.div(this, other);
    }

    public Tensor div(double value) {
        return Ops.div(this, scalarLike(value));
    }

    public Tensor maximum(Tensor other) {
        return Ops.maximum(this, other);
    }

    public Tensor maximum(double value) {
        return Ops.maximum(this, scalarLike(value));
    }

    public Tensor neg() {
        return Ops.neg(this);
    }

    public Tensor exp() {
        return Ops.exp(this);
    }

    public Tensor log() {
        return Ops.log(this);
    }

    public Tensor sqrt() {
        return Ops.sqrt(this);
    }

    public Tensor tanh() {
        return Ops.tanh(this);
    }

    public Tensor reciprocal() {
        return Ops.reciprocal(this);
    }

    public Tensor erf() {
        return Ops.erf(this);
    }

    public Tensor square() {
        return Ops.mul(this, this);
    }

    public Tensor lt(Tensor other) {
        return Ops.lt(this, other);
    }

    public Tensor lt(double value) {
        return Ops.lt(this, scalarLike(value));
    }

    public Tensor eq(Tensor other) {
        return Ops.eq(this, other);
    }

    public Tensor eq(double value) {
        return Ops.eq(this, scalarLike(value));
    }

    /** {@code this ? a : b} for a BOOL tensor. */
    public Tensor where(Tensor a, Tensor b) {
        return Ops.where(this, a, b);
    }

    public Tensor sum(int... axes) {
        return Ops.sum(this, axes, false);
    }

    public Tensor sum(int[] axes, boolean keepDim) {
        return Ops.sum(this, axes, keepDim);
    }

    /** Sum of all elements (rank 0). */
    public Tensor sum() {
        return Ops.sum(this, allAxes(), false);
    }

    public Tensor mean(int[] axes, boolean keepDim) {
        long n = 1;
        for (int a : axes) {
            n *= shape.dim(a);
        }
        return Ops.sum(this, axes, keepDim).div((double) n);
    }

    public Tensor mean() {
        return mean(allAxes(), false);
    }

    public Tensor max(int[] axes, boolean keepDim) {
        return Ops.max(this, axes, keepDim);
    }

    public Tensor max() {
        return Ops.max(this, allAxes(), false);
    }

    public Tensor argmax(int axis, boolean keepDim) {
        return Ops.argmax(this, axis, keepDim);
    }

    public Tensor matmul(Tensor other) {
        return Ops.matmul(this, other, false, false);
    }

    public Tensor matmul(Tensor other, boolean transposeThis, boolean transposeOther) {
        return Ops.matmul(this, other, transposeThis, transposeOther);
    }

    /** New shape with the same element count; one dim may be -1 (inferred). */
    public Tensor reshape(int... dims) {
        return sameElements(Ops.reshape(this, Ops.inferShape(shape, dims)));
    }

    public Tensor reshape(Shape newShape) {
        return sameElements(Ops.reshape(this, newShape));
    }

    public Tensor permute(int... axes) {
        return Ops.permute(this, axes);
    }

    /** Swaps two axes. */
    public Tensor transpose(int axis0, int axis1) {
        int[] axes = new int[rank()];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = i;
        }
        int a = shape.axis(axis0);
        int b = shape.axis(axis1);
        axes[a] = b;
        axes[b] = a;
        return Ops.permute(this, axes);
    }

    public Tensor expand(Shape target) {
        return Ops.expand(this, target);
    }

    public Tensor slice(int axis, int start, int end) {
        return Ops.slice(this, axis, start, end);
    }

    public Tensor gather(int axis, Tensor indices) {
        return Ops.gather(this, axis, indices);
    }

    public Tensor cast(DType target) {
        return Ops.cast(this, target);
    }

    /** Scalar of this tensor's dtype, backend and device. */
    public Tensor scalarLike(double value) {
        return Tensor.on(backend, device()).scalar(value, dtype);
    }

    private int[] allAxes() {
        int[] axes = new int[rank()];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = i;
        }
        return axes;
    }

    @Override
    public String toString() {
        if (isClosed()) {
            return "Tensor(" + shape + " " + dtype + ", closed)";
        }
        return "Tensor(" + describe() + (requiresGrad() ? ", requiresGrad" : "") + ")";
    }
}
