package dev.llmforge.autograd;

import dev.llmforge.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/** One recorded operation of the autograd graph: its inputs and how to map an output gradient to theirs. */
public final class Node {
    /**
     * Gradients for each input (null where an input gets none), given the output's gradient.
     * Autograd owns what this returns and frees it after use: return new tensors or
     * {@code gradOutput} itself, never a tensor that lives on elsewhere.
     */
    @FunctionalInterface
    public interface Backward {
        Tensor[] apply(Tensor gradOutput);
    }

    private final String name;
    private final List<Tensor> inputs;
    private final Backward backward;

    Node(String name, List<Tensor> inputs, Backward backward) {
        this.name = name;
        this.inputs = inputs;
        this.backward = backward;
    }

    public String name() {
        return name;
    }

    /** The inputs, aligned with the gradients {@link Backward} returns; optional inputs may be null. */
    public List<Tensor> inputs() {
        return inputs;
    }

    Tensor[] backward(Tensor gradOutput) {
        return backward.apply(gradOutput);
    }

    /**
     * Attaches a node to {@code output} if grad mode is on and any input requires a gradient.
     * Returns the output.
     */
    public static Tensor record(String name, Tensor output, Backward backward, Tensor... inputs) {
        if (needed(inputs)) {
            output.setGradFn(new Node(name, Arrays.asList(inputs), backward));
        }
        return output;
    }

    /** True if grad mode is on and any input requires a gradient: an op on {@code inputs} gets a node. */
    static boolean needed(Tensor... inputs) {
        if (!GradMode.isEnabled()) {
            return false;
        }
        for (Tensor in : inputs) {
            if (in != null && in.requiresGrad()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "Node(" + name + ")";
    }
}
