package dev.llmforge.spi.capture;

import java.util.Arrays;
import java.util.List;

/**
 * A recorded sequence of kernel calls, in the order core made them: the structure of one segment of
 * a captured step, without the values fed at each run (see {@link Feeds}). Values are numbered from
 * 0 in order of appearance; a value is either an input (a tensor that existed before the segment
 * began, fed at every run) or an output of one op. Two runs of the same code on inputs of the same
 * shapes record equal programs, which is how a compiled program is found again.
 */
public final class Program {
    private final List<ValueType> values;
    private final int[] inputs;
    private final List<Op> ops;
    private final int[] outputs;
    private final int scalarCount;
    private final int longCount;
    private final int dataCount;
    private final int hash;

    /** Made by core's recorder; the arrays are not copied. */
    public Program(List<ValueType> values, int[] inputs, List<Op> ops, int[] outputs, int scalarCount, int longCount, int dataCount) {
        this.values = List.copyOf(values);
        this.inputs = inputs;
        this.ops = List.copyOf(ops);
        this.outputs = outputs;
        this.scalarCount = scalarCount;
        this.longCount = longCount;
        this.dataCount = dataCount;
        this.hash = 31 * (31 * (31 * this.values.hashCode() + Arrays.hashCode(inputs)) + this.ops.hashCode()) + Arrays.hashCode(outputs);
    }

    /** Number of values (inputs and op outputs); ids run from 0 to this minus 1. */
    public int valueCount() {
        return values.size();
    }

    public ValueType type(int id) {
        return values.get(id);
    }

    /** Ids of the input values, in the order of {@link Feeds#inputs()}. */
    public int[] inputs() {
        return inputs.clone();
    }

    public List<Op> ops() {
        return ops;
    }

    /** Ids of the values the run must return: those still open when the segment ended. */
    public int[] outputs() {
        return outputs.clone();
    }

    public int scalarCount() {
        return scalarCount;
    }

    public int longCount() {
        return longCount;
    }

    public int dataCount() {
        return dataCount;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Program p && p.hash == hash && Arrays.equals(p.inputs, inputs) && Arrays.equals(p.outputs, outputs)
                && p.values.equals(values) && p.ops.equals(ops);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("Program(").append(inputs.length).append(" inputs, ").append(ops.size())
                .append(" ops, ").append(outputs.length).append(" outputs)");
        for (int id : inputs) {
            s.append("\n  in  %").append(id).append(' ').append(values.get(id));
        }
        for (Op op : ops) {
            s.append("\n  ").append(op);
        }
        s.append("\n  out ").append(Arrays.toString(outputs));
        return s.toString();
    }
}
