package dev.llmforge.backend.tensorflow;

import dev.llmforge.spi.FusedOp;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.spi.capture.CaptureSupport;
import dev.llmforge.spi.capture.CompiledProgram;
import dev.llmforge.spi.capture.Program;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Capture support: compiles each recorded step into a TensorFlow graph run by one session call. */
final class TfCompiler implements CaptureSupport {
    private static final Logger LOG = LoggerFactory.getLogger(TfCompiler.class);

    private final TfEngine engine;

    TfCompiler(TfEngine engine) {
        this.engine = engine;
    }

    @Override
    public NativeTensor retain(NativeTensor handle) {
        return engine.share(TfKernels.tf(handle));
    }

    @Override
    public Set<FusedOp> fusedOps() {
        return TfFusedKernels.NATIVE;
    }

    @Override
    public CompiledProgram compile(Program program) {
        long start = System.nanoTime();
        TfGraphProgram compiled = TfGraphProgram.build(engine, program);
        LOG.debug("compiled a captured step of {} ops ({} inputs, {} outputs) into a TensorFlow graph in {} ms", program.ops().size(),
                program.inputs().length, program.outputs().length, (System.nanoTime() - start) / 1_000_000);
        return compiled;
    }
}
