package dev.llmforge.spi.capture;

import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Device;
import dev.llmforge.tensor.Shape;
import java.util.Arrays;
import java.util.Objects;

/**
 * One recorded operation: its kind, the ids of the values it reads and writes, and its attributes
 * (see {@link OpKind} for each kind's layout). Values that change from one run to the next (the
 * number in {@code full}, random seeds, optimiser hyper-parameters, host data) are not attributes
 * but feed slots, so two runs of the same code record equal ops.
 */
public final class Op {
    private final OpKind kind;
    private final int[] inputs;
    private final int[] outputs;
    private final long[] attrs;
    private final double[] consts;
    private final Shape shape;
    private final DType dtype;
    private final Device device;
    private final int scalarSlot;
    private final int longSlot;
    private final int dataSlot;
    private final int hash;

    /** Made by core's recorder; the arrays are not copied. */
    public Op(OpKind kind, int[] inputs, int[] outputs, long[] attrs, double[] consts, Shape shape, DType dtype, Device device,
       int scalarSlot, int longSlot, int dataSlot) {
        this.kind = kind;
        this.inputs = inputs;
        this.outputs = outputs;
        this.attrs = attrs;
        this.consts = consts;
        this.shape = shape;
        this.dtype = dtype;
        this.device = device;
        this.scalarSlot = scalarSlot;
        this.longSlot = longSlot;
        this.dataSlot = dataSlot;
        int h = kind.hashCode();
        h = 31 * h + Arrays.hashCode(inputs);
        h = 31 * h + Arrays.hashCode(outputs);
        h = 31 * h + Arrays.hashCode(attrs);
        h = 31 * h + Arrays.hashCode(consts);
        h = 31 * h + Objects.hashCode(shape);
        h = 31 * h + Objects.hashCode(dtype);
        this.hash = h;
    }

    public OpKind kind() {
        return kind;
    }

    public int inputCount() {
        return inputs.length;
    }

    /** Id of input {@code i}, or -1 for an absent optional input. */
    public int input(int i) {
        return inputs[i];
    }

    public int outputCount() {
        return outputs.length;
    }

    /** Id of output {@code i}, or -1 for an output this op does not produce (e.g. a missing bias gradient). */
    public int output(int i) {
        return outputs[i];
    }

    public int attrCount() {
        return attrs.length;
    }

    public long attr(int i) {
        return attrs[i];
    }

    /** The integer attributes from index {@code from} on, as ints (axes). */
    public int[] attrsAsInts(int from) {
        int[] out = new int[attrs.length - from];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) attrs[from + i];
        }
        return out;
    }

    public boolean flag(int i) {
        return attrs[i] != 0;
    }

    /** Floating-point attributes that are part of the op's structure (eps, attention scale). */
    public double constant(int i) {
        return consts[i];
    }

    /** Target shape (reshape, expand, full, random, fromBuffer, scatterAdd), else null. */
    public Shape shape() {
        return shape;
    }

    /** Target dtype (cast, full, random, fromBuffer), else null. */
    public DType dtype() {
        return dtype;
    }

    /** Device of a source op (fromBuffer, full, random), else null. */
    public Device device() {
        return device;
    }

    /** First index of this op's values in {@link Feeds#scalars()}, or -1. */
    public int scalarSlot() {
        return scalarSlot;
    }

    /** First index of this op's values in {@link Feeds#longs()}, or -1. */
    public int longSlot() {
        return longSlot;
    }

    /** Index of this op's bytes in {@link Feeds#data()}, or -1. */
    public int dataSlot() {
        return dataSlot;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Op op && op.hash == hash && op.kind == kind && Arrays.equals(op.inputs, inputs)
                && Arrays.equals(op.outputs, outputs) && Arrays.equals(op.attrs, attrs) && Arrays.equals(op.consts, consts)
                && Objects.equals(op.shape, shape) && op.dtype == dtype && Objects.equals(op.device, device)
                && op.scalarSlot == scalarSlot && op.longSlot == longSlot && op.dataSlot == dataSlot;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(kind.name()).append(Arrays.toString(inputs)).append(" -> ").append(Arrays.toString(outputs));
        if (attrs.length > 0) {
            s.append(" attrs=").append(Arrays.toString(attrs));
        }
        if (consts.length > 0) {
            s.append(" consts=").append(Arrays.toString(consts));
        }
        if (shape != null) {
            s.append(" shape=").append(shape);
        }
        if (dtype != null) {
            s.append(' ').append(dtype);
        }
        return s.toString();
    }
}
