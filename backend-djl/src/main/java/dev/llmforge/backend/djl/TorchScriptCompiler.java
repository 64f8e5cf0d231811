package dev.llmforge.backend.djl;

import ai.djl.pytorch.jni.JniUtils;
import dev.llmforge.spi.FusedOp;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.spi.capture.CaptureSupport;
import dev.llmforge.spi.capture.CompiledProgram;
import dev.llmforge.spi.capture.Program;
import java.util.Set;

/** Capture support: compiles each recorded step into a TorchScript module run by one call. */
final class TorchScriptCompiler implements CaptureSupport {
    private final DjlKernels kernels;

    TorchScriptCompiler(DjlKernels kernels) {
        this.kernels = kernels;
    }

    @Override
    public NativeTensor retain(NativeTensor handle) {
        DjlTensor t = DjlKernels.t(handle);
        return DjlTensor.viewOf(t, JniUtils.reshape(t.array(), DTypes.longs(t.shape())), t.shape(), t.dtype());
    }

    /** Every fused pair of the eager backend: the translator writes each as the ATen ops its eager kernels call. */
    @Override
    public Set<FusedOp> fusedOps() {
        return DjlFusedKernels.NATIVE;
    }

    @Override
    public CompiledProgram compile(Program program) {
        return TorchScriptProgram.compile(program, kernels);
    }
}
