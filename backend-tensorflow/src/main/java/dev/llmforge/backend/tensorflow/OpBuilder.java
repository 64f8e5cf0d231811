package dev.llmforge.backend.tensorflow;

import dev.llmforge.tensor.DType;
import java.util.ArrayList;
import java.util.List;

/**
 * One TensorFlow op being described. Inputs and attributes are only collected here and applied
 * when the op is built, so describing another op meanwhile (an argument expression) is safe. Type
 * attributes bound to inputs ({@code T}, {@code Tidx}...) are inferred by TensorFlow.
 */
abstract class OpBuilder {
    /** An input: one value or a list (for list inputs such as ConcatV2's). */
    record Input(TfValue value, List<? extends TfValue> list) {
    }

    /** An attribute; value is a DType, Long or Boolean. */
    record Attr(String name, Object value) {
    }

    final String type;
    final List<Input> inputs = new ArrayList<>(3);
    final List<Attr> attrs = new ArrayList<>(2);

    OpBuilder(String type) {
        this.type = type;
    }

    OpBuilder in(TfValue x) {
        inputs.add(new Input(x, null));
        return this;
    }

    OpBuilder inList(List<? extends TfValue> xs) {
        inputs.add(new Input(null, xs));
        return this;
    }

    OpBuilder attr(String name, DType type) {
        attrs.add(new Attr(name, type));
        return this;
    }

    OpBuilder attr(String name, long value) {
        attrs.add(new Attr(name, value));
        return this;
    }

    OpBuilder attr(String name, boolean value) {
        attrs.add(new Attr(name, value));
        return this;
    }

    /** Builds an op with one output. */
    TfValue build() {
        return build(1)[0];
    }

    /** Builds the op (executing it, or adding it to a graph); returns its first {@code outputs} outputs. */
    abstract TfValue[] build(int outputs);
}
