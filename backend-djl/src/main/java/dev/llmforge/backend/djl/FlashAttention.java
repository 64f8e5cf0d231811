package dev.llmforge.backend.djl;

import ai.djl.engine.EngineException;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.JniUtils;
import dev.llmforge.spi.FusedKernels;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Causal attention through PyTorch's fused CPU kernel ({@code _scaled_dot_product_flash_attention_for_cpu}
 * and its backward), which DJL does not expose: each direction is a two-line TorchScript module
 * (written as a {@link TorchScriptArchive}, loaded once per backend), so a call is one native call
 * that never materialises the (T, T) scores, skips the blocks above the diagonal and saves only the
 * log-sum-exp of each row (B, H, T) for the backward.
 *
 * <p>It replaces the composed attention (matmul, mask, softmax, matmul) only where it is faster:
 * for self-attention over a long context ({@link #applies}); at nanoGPT's CPU size (context 64) the
 * kernel's blocking costs more than it saves (benchmarks/README.md has the figures).
 */
final class FlashAttention implements AutoCloseable {
    /** The shortest context for which the fused kernel runs (queries = keys, causal). */
    static final int MIN_CONTEXT = 256;

    private static final String HEADER = "  __parameters__ = []\n  __buffers__ = []\n  training : bool\n";
    private static final String FORWARD = "class FlashForward(Module):\n" + HEADER
            + "  def forward(self: __torch__.FlashForward, q: Tensor, k: Tensor, v: Tensor, scale: float) -> Tuple[Tensor, Tensor]:\n"
            + "    out, lse = torch._scaled_dot_product_flash_attention_for_cpu(q, k, v, 0., True, attn_mask=None, scale=scale)\n"
            + "    return (out, lse)\n";
    private static final String BACKWARD = "class FlashBackward(Module):\n" + HEADER
            + "  def forward(self: __torch__.FlashBackward, g: Tensor, q: Tensor, k: Tensor, v: Tensor, out: Tensor, lse: Tensor,"
            + " scale: float) -> Tuple[Tensor, Tensor, Tensor]:\n"
            + "    dq, dk, dv = torch._scaled_dot_product_flash_attention_for_cpu_backward(g, q, k, v, out, lse, 0., True,"
            + " attn_mask=None, scale=scale)\n"
            + "    return (dq, dk, dv)\n";

    private final DjlKernels kernels;
    private PtSymbolBlock forward;
    private PtSymbolBlock backward;

    FlashAttention(DjlKernels kernels) {
        this.kernels = kernels;
    }

    /** Whether the fused kernel runs for queries {@code q} (B, H, Tq, D) over keys {@code key} (B, H, Tk, D). */
    static boolean applies(NativeTensor q, NativeTensor key) {
        int tq = q.shape().dim(2);
        return tq == key.shape().dim(2) && tq >= MIN_CONTEXT && (q.dtype() == DType.F32 || q.dtype() == DType.F64);
    }

    /** softmax(scale q k^T, causally masked) v; saves the rows' log-sum-exp (B, H, T). */
    FusedKernels.Result forward(NativeTensor q, NativeTensor key, NativeTensor value, double scale) {
        PtNDArray[] outs = call(forwardModule(), IValue.from(DjlKernels.a(q)), IValue.from(DjlKernels.a(key)),
                IValue.from(DjlKernels.a(value)), IValue.from(scale));
        Shape s = q.shape();
        return new FusedKernels.Result(DjlTensor.fresh(outs[0], s, q.dtype()),
                List.of(DjlTensor.fresh(outs[1], Shape.of(s.dim(0), s.dim(1), s.dim(2)), q.dtype())));
    }

    /** dq, dk, dv from the forward's output and saved log-sum-exp. */
    NativeTensor[] backward(NativeTensor q, NativeTensor key, NativeTensor value, double scale, FusedKernels.Result forward,
                            NativeTensor gradOut) {
        PtNDArray[] grads = call(backwardModule(), IValue.from(DjlKernels.a(gradOut)), IValue.from(DjlKernels.a(q)),
                IValue.from(DjlKernels.a(key)), IValue.from(DjlKernels.a(value)), IValue.from(DjlKernels.a(forward.output())),
                IValue.from(DjlKernels.a(forward.saved(0))), IValue.from(scale));
        return new NativeTensor[] {
            DjlTensor.fresh(grads[0], q.shape(), q.dtype()),
            DjlTensor.fresh(grads[1], key.shape(), key.dtype()),
            DjlTensor.fresh(grads[2], value.shape(), value.dtype())};
    }

    /** Runs a module on {@code args} (closed afterwards) and returns the tensors of the tuple it returns. */
    private PtNDArray[] call(PtSymbolBlock module, IValue... args) {
        try (IValue result = module.forward(args)) {
            IValue[] parts = result.toIValueTuple();
            try {
                PtNDArray[] out = new PtNDArray[parts.length];
                for (int i = 0; i < parts.length; i++) {
                    out[i] = parts[i].toTensor(kernels.manager());
                }
                return out;
            } finally {
                for (IValue p : parts) {
                    p.close();
                }
            }
        } catch (EngineException e) {
            throw new IllegalStateException("PyTorch's fused attention kernel failed: " + e.getMessage(), e);
        } finally {
            for (IValue a : args) {
                a.close();
            }
        }
    }

    private synchronized PtSymbolBlock forwardModule() {
        if (forward == null) {
            forward = load("FlashForward", FORWARD);
        }
        return forward;
    }

    private synchronized PtSymbolBlock backwardModule() {
        if (backward == null) {
            backward = load("FlashBackward", BACKWARD);
        }
        return backward;
    }

    private PtSymbolBlock load(String className, String code) {
        try {
            Path file = Files.createTempFile("llmforge-" + className, ".pt");
            try {
                try (OutputStream out = Files.newOutputStream(file)) {
                    TorchScriptArchive.write(out, className, code);
                }
                return JniUtils.loadModule(kernels.manager(), file, false, new String[0], new String[0], false);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the TorchScript archive of " + className, e);
        }
    }

    @Override
    public synchronized void close() {
        for (PtSymbolBlock m : new PtSymbolBlock[] {forward, backward}) {
            if (m != null) {
                m.close();
            }
        }
        forward = null;
        backward = null;
    }
}
