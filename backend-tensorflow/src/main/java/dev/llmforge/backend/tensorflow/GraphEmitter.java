package dev.llmforge.backend.tensorflow;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_AddInput;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_AddInputList;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteTensor;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_FinishOperation;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_GraphGetTensorNumDims;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_GraphGetTensorShape;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewOperation;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_OperationOutputType;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetAttrBool;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetAttrInt;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetAttrShape;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetAttrTensor;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetAttrType;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_TensorByteSize;

import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import java.nio.ByteBuffer;
import java.util.List;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Operation;
import org.tensorflow.internal.c_api.TF_OperationDescription;
import org.tensorflow.internal.c_api.TF_Output;
import org.tensorflow.internal.c_api.TF_Tensor;

/**
 * Adds TensorFlow ops to a graph. Every output must have a fully known static shape (the graphs
 * llmforge builds start from placeholders of known shape), which is what {@link TfMath} reads.
 * Call inside a {@code PointerScope}: the {@code TF_Output} structs it allocates are released with it.
 */
final class GraphEmitter implements Emitter {
    private final TF_Graph graph;
    private int names;

    GraphEmitter(TF_Graph graph) {
        this.graph = graph;
    }

    @Override
    public OpBuilder op(String type) {
        return new GraphOp(type);
    }

    @Override
    public TfValue constant(Shape shape, DType dtype, ByteBuffer data) {
        TF_Tensor t = TfEngine.allocate(shape, dtype);
        try {
            long size = TF_TensorByteSize(t);
            if (size > 0) {
                TfEngine.bytes(t, size).put(data.duplicate());
            }
            TF_OperationDescription d = TF_NewOperation(graph, "Const", name());
            TF_SetAttrTensor(d, "value", t, TfStatus.get());
            TfStatus.check("Const value");
            TF_SetAttrType(d, "dtype", TfTypes.code(dtype));
            return finish(d, "Const", 1)[0];
        } finally {
            TF_DeleteTensor(t);
        }
    }

    /** A placeholder fed at every run. */
    GraphValue placeholder(Shape shape, DType dtype) {
        TF_OperationDescription d = TF_NewOperation(graph, "Placeholder", name());
        TF_SetAttrType(d, "dtype", TfTypes.code(dtype));
        long[] dims = new long[shape.rank()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shape.dim(i);
        }
        TF_SetAttrShape(d, "shape", dims, dims.length);
        return finish(d, "Placeholder", 1)[0];
    }

    /** The C struct naming {@code v} as an op input or a feed/fetch. */
    static TF_Output output(GraphValue v) {
        return new TF_Output().oper(v.op()).index(v.index());
    }

    private String name() {
        return "n" + names++;
    }

    private GraphValue[] finish(TF_OperationDescription d, String type, int outputs) {
        TF_Operation op = TF_FinishOperation(d, TfStatus.get());
        TfStatus.check(type);
        GraphValue[] values = new GraphValue[outputs];
        for (int i = 0; i < outputs; i++) {
            TF_Output out = new TF_Output().oper(op).index(i);
            int rank = TF_GraphGetTensorNumDims(graph, out, TfStatus.get());
            TfStatus.check(type + " shape");
            long[] dims = new long[Math.max(rank, 0)];
            if (rank > 0) {
                TF_GraphGetTensorShape(graph, out, dims, rank, TfStatus.get());
                TfStatus.check(type + " shape");
            }
            int[] shape = new int[dims.length];
            for (int j = 0; j < dims.length; j++) {
                if (dims[j] < 0) {
                    rank = -1;
                    break;
                }
                shape[j] = (int) dims[j];
            }
            if (rank < 0) {
                throw new IllegalStateException("TensorFlow could not infer a static shape for output " + i + " of " + type);
            }
            values[i] = new GraphValue(op, i, Shape.of(shape), TfTypes.dtype(TF_OperationOutputType(out)));
        }
        return values;
    }

    private final class GraphOp extends OpBuilder {
        GraphOp(String type) {
            super(type);
        }

        @Override
        TfValue[] build(int outputs) {
            TF_OperationDescription d = TF_NewOperation(graph, type, name());
            for (Input in : inputs) {
                if (in.value() != null) {
                    TF_AddInput(d, output((GraphValue) in.value()));
                } else {
                    List<? extends TfValue> xs = in.list();
                    TF_Output list = new TF_Output(xs.size());
                    for (int i = 0; i < xs.size(); i++) {
                        GraphValue v = (GraphValue) xs.get(i);
                        list.position(i).oper(v.op()).index(v.index());
                    }
                    TF_AddInputList(d, list.position(0), xs.size());
                }
            }
            for (Attr a : attrs) {
                if (a.value() instanceof DType t) {
                    TF_SetAttrType(d, a.name(), TfTypes.code(t));
                } else if (a.value() instanceof Long v) {
                    TF_SetAttrInt(d, a.name(), v);
                } else {
                    TF_SetAttrBool(d, a.name(), (byte) ((Boolean) a.value() ? 1 : 0));
                }
            }
            return finish(d, type, outputs);
        }
    }
}
