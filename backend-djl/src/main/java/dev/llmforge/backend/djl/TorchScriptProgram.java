package dev.llmforge.backend.djl;

import ai.djl.engine.EngineException;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.JniUtils;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.spi.capture.CompiledProgram;
import dev.llmforge.spi.capture.Feeds;
import dev.llmforge.spi.capture.Op;
import dev.llmforge.spi.capture.Program;
import dev.llmforge.tensor.Device;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A captured step compiled to a TorchScript module (see {@link TorchScriptSource}): each run is one
 * call into PyTorch's graph executor instead of one JNI call per op. Host data and random draws
 * are made eagerly before the call and passed in as tensors.
 */
final class TorchScriptProgram implements CompiledProgram {
    private final Program program;
    private final TorchScriptSource source;
    private final DjlKernels kernels;
    private final PtSymbolBlock module;
    private boolean closed;

    private TorchScriptProgram(Program program, TorchScriptSource source, DjlKernels kernels, PtSymbolBlock module) {
        this.program = program;
        this.source = source;
        this.kernels = kernels;
        this.module = module;
    }

    static TorchScriptProgram compile(Program program, DjlKernels kernels) {
        TorchScriptSource source = TorchScriptSource.of(program);
        String code = source.text();
        try {
            Path file = Files.createTempFile("llmforge-step", ".pt");
            try {
                try (OutputStream out = Files.newOutputStream(file)) {
                    TorchScriptArchive.write(out, TorchScriptSource.CLASS_NAME, code);
                }
                PtSymbolBlock module = JniUtils.loadModule(kernels.manager(), file, false, new String[0], new String[0], false);
                return new TorchScriptProgram(program, source, kernels, module);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write a TorchScript archive for a captured step", e);
        } catch (EngineException e) {
            throw new IllegalStateException("PyTorch could not compile a captured step: " + e.getMessage() + "\n" + code, e);
        }
    }

    @Override
    public List<NativeTensor> run(Feeds feeds) {
        if (closed) {
            throw new IllegalStateException("this compiled TorchScript program is closed");
        }
        List<NativeTensor> made = new ArrayList<>();
        List<IValue> args = new ArrayList<>(feeds.inputs().size() + source.sourceOps().size() + 2);
        try {
            for (NativeTensor x : feeds.inputs()) {
                args.add(IValue.from(DjlKernels.a(x)));
            }
            for (Op op : source.sourceOps()) {
                NativeTensor t = makeSource(op, feeds);
                made.add(t);
                args.add(IValue.from(DjlKernels.a(t)));
            }
            if (program.scalarCount() > 0) {
                args.add(IValue.listFrom(feeds.scalars()));
            }
            if (program.longCount() > 0) {
                args.add(IValue.listFrom(feeds.longs()));
            }
            return outputs(call(args));
        } finally {
            args.forEach(IValue::close);
            made.forEach(NativeTensor::close);
        }
    }

    private NativeTensor makeSource(Op op, Feeds feeds) {
        return switch (op.kind()) {
            case FROM_BUFFER -> kernels.fromBuffer(feeds.data().get(op.dataSlot()), op.shape(), op.dtype(), Device.cpu());
            case RANDOM_UNIFORM -> kernels.randomUniform(op.shape(), op.dtype(), Device.cpu(), feeds.longs()[op.longSlot()]);
            case RANDOM_NORMAL -> kernels.randomNormal(op.shape(), op.dtype(), Device.cpu(), feeds.longs()[op.longSlot()]);
            default -> throw new IllegalStateException("not a source op: " + op);
        };
    }

    private IValue call(List<IValue> args) {
        try {
            return module.forward(args.toArray(new IValue[0]));
        } catch (EngineException e) {
            throw TorchScriptErrors.translate(e);
        }
    }

    private List<NativeTensor> outputs(IValue result) {
        PtNDManager manager = kernels.manager();
        int[] ids = program.outputs();
        List<NativeTensor> out = new ArrayList<>(ids.length);
        try (result) {
            IValue[] parts = result.toIValueTuple();
            try {
                for (int i = 0; i < ids.length; i++) {
                    PtNDArray array = parts[i].toTensor(manager);
                    out.add(DjlTensor.fresh(array, program.type(ids[i]).shape(), program.type(ids[i]).dtype()));
                }
            } finally {
                for (IValue p : parts) {
                    p.close();
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            module.close();
        }
    }
}
