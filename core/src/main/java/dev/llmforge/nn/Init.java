package dev.llmforge.nn;

import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import java.util.Random;

/**
 * Creates initial parameter values on the host with a seeded {@link Random} (whose Gaussian
 * algorithm is specified, so a seed gives the same numbers on every JVM) and uploads them, so the
 * same seed builds the same model on every backend. Values are drawn in construction order.
 */
public final class Init {
    private final TensorFactory tensors;
    private final DType dtype;
    private final Random random;

    public Init(TensorFactory tensors, DType dtype, long seed) {
        this(tensors, dtype, new Random(seed));
    }

    private Init(TensorFactory tensors, DType dtype, Random random) {
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException("parameters need a floating-point dtype, got " + dtype);
        }
        this.tensors = tensors;
        this.dtype = dtype;
        this.random = random;
    }

    /**
     * An initialiser that only allocates (every value 0, no random draws), for parameters about to
     * be overwritten by a checkpoint.
     */
    public static Init placeholder(TensorFactory tensors, DType dtype) {
        return new Init(tensors, dtype, (Random) null);
    }

    public TensorFactory tensors() {
        return tensors;
    }

    public DType dtype() {
        return dtype;
    }

    /** Normal(0, std) values. */
    public Tensor normal(double std, int... dims) {
        Shape shape = Shape.of(dims);
        if (random == null) {
            return tensors.zeros(shape, dtype);
        }
        double[] v = new double[shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (random.nextGaussian() * std);
        }
        return tensors.of(v, shape, dtype);
    }

    public Tensor zeros(int... dims) {
        return tensors.zeros(Shape.of(dims), dtype);
    }

    public Tensor ones(int... dims) {
        return tensors.ones(Shape.of(dims), dtype);
    }
}
