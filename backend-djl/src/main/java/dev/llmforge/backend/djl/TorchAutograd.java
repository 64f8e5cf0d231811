package dev.llmforge.backend.djl;

import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch's own autograd, used locally inside one kernel to reach backward kernels DJL does not
 * expose (index-add, layer-norm and GELU backward): grad mode is switched on for this thread until
 * {@link #close}, leaves are detached aliases of the inputs (the inputs' own handles are never
 * marked), and gradients are read back after {@link #backward}.
 */
final class TorchAutograd implements AutoCloseable {
    private final boolean previous;

    TorchAutograd() {
        previous = JniUtils.isGradMode();
        if (!previous) {
            JniUtils.setGradMode(true);
        }
    }

    /** A leaf sharing {@code x}'s storage that records a gradient; the caller closes it. */
    PtNDArray leaf(PtNDArray x) {
        PtNDArray alias = JniUtils.detachGradient(x);
        JniUtils.attachGradient(alias, true);
        return alias;
    }

    /** Backpropagates {@code seed} (same shape as {@code output}) through the recorded graph. */
    void backward(PtNDArray output, PtNDArray seed) {
        JniUtils.backward(output, seed, false, false);
    }

    /** The gradient accumulated in {@code leaf} (a new handle), never null. */
    PtNDArray gradient(PtNDArray leaf) {
        PtNDArray g = JniUtils.getGradient(leaf);
        if (g == null) {
            throw new IllegalStateException("PyTorch computed no gradient for a kernel input");
        }
        return g;
    }

    @Override
    public void close() {
        if (!previous) {
            JniUtils.setGradMode(false);
        }
    }
}
