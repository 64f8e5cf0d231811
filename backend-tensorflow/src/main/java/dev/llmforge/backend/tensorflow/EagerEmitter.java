package dev.llmforge.backend.tensorflow;

import static org.tensorflow.internal.c_api.global.tensorflow.TFE_Execute;
import static org.tensorflow.internal.c_api.global.tensorflow.TFE_OpAddInput;
import static org.tensorflow.internal.c_api.global.tensorflow.TFE_OpAddInputList;
import static org.tensorflow.internal.c_api.global.tensorflow.TFE_OpSetAttrBool;
import static org.tensorflow.internal.c_api.global.tensorflow.TFE_OpSetAttrInt;
import static org.tensorflow.internal.c_api.global.tensorflow.TFE_OpSetAttrType;

import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerPointer;
import org.tensorflow.internal.c_api.TFE_Op;
import org.tensorflow.internal.c_api.TFE_TensorHandle;

/**
 * Runs TensorFlow ops at once, for one kernel call: every tensor it makes is deleted when it
 * closes, except the results handed to {@link #keep}. So a kernel composed of several ops frees
 * its temporaries deterministically.
 */
final class EagerEmitter implements Emitter, AutoCloseable {
    private final TfEngine engine;
    private final List<TfTensor> made = new ArrayList<>(4);

    EagerEmitter(TfEngine engine) {
        this.engine = engine;
    }

    @Override
    public OpBuilder op(String type) {
        return new EagerOp(type);
    }

    @Override
    public TfValue constant(Shape shape, DType dtype, ByteBuffer data) {
        return made(engine.fromBytes(data, shape, dtype));
    }

    private TfTensor made(TfTensor t) {
        made.add(t);
        return t;
    }

    /**
     * Marks {@code result} as the kernel's output, which survives {@link #close}. An input handed
     * back unchanged is copied, since a kernel must return a new handle.
     */
    TfTensor keep(TfValue result) {
        TfTensor t = (TfTensor) result;
        if (!made.remove(t)) {
            return engine.share(t);
        }
        return t;
    }

    @Override
    public void close() {
        for (TfTensor t : made) {
            t.close();
        }
        made.clear();
    }

    private final class EagerOp extends OpBuilder {
        EagerOp(String type) {
            super(type);
        }

        @Override
        TfValue[] build(int outputs) {
            TfEngine.EagerThread thread = engine.thread();
            TFE_Op op = thread.op(type);
            for (Input in : inputs) {
                if (in.value() != null) {
                    TFE_OpAddInput(op, ((TfTensor) in.value()).handle(), TfStatus.get());
                } else {
                    List<? extends TfValue> xs = in.list();
                    PointerPointer<TFE_TensorHandle> list = thread.list(xs.size());
                    for (int i = 0; i < xs.size(); i++) {
                        list.put(i, ((TfTensor) xs.get(i)).handle());
                    }
                    TFE_OpAddInputList(op, list, xs.size(), TfStatus.get());
                }
                TfStatus.check(type + " input");
            }
            for (Attr a : attrs) {
                if (a.value() instanceof DType t) {
                    TFE_OpSetAttrType(op, a.name(), TfTypes.code(t));
                } else if (a.value() instanceof Long v) {
                    TFE_OpSetAttrInt(op, a.name(), v);
                } else {
                    TFE_OpSetAttrBool(op, a.name(), (byte) ((Boolean) a.value() ? 1 : 0));
                }
            }
            thread.outputCount.put(0, outputs);
            TFE_Execute(op, thread.outputs, thread.outputCount, TfStatus.get());
            TfStatus.check(type);
            TfValue[] result = new TfValue[outputs];
            for (int i = 0; i < outputs; i++) {
                result[i] = made(engine.own(thread.outputs.get(TFE_TensorHandle.class, i)));
            }
            return result;
        }
    }
}
