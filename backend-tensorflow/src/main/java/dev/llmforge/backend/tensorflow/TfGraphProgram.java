package dev.llmforge.backend.tensorflow;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_CloseSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteTensor;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SessionRun;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetConfig;

import dev.llmforge.spi.NativeTensor;
import dev.llmforge.spi.capture.CompiledProgram;
import dev.llmforge.spi.capture.Feeds;
import dev.llmforge.spi.capture.Op;
import dev.llmforge.spi.capture.Program;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.PointerScope;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Output;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Tensor;

/**
 * A captured {@link Program} as a TensorFlow graph and session. Feeds, in order: the program's
 * inputs, the host data of each FROM_BUFFER, the F64 vector of scalars, the I64 vector of longs.
 * Inputs and outputs cross without copies: eager handles are resolved to the {@code TF_Tensor}s
 * sharing their buffers, and fetched tensors become eager handles.
 */
final class TfGraphProgram implements CompiledProgram {
    private final TfEngine engine;
    private final Program program;
    private final TF_Graph graph;
    private final TF_Session session;
    private final TF_Output feeds;
    private final TF_Output fetches;
    private final int feedCount;
    private final int fetchCount;
    private final PointerPointer<TF_Tensor> feedValues;
    private final PointerPointer<TF_Tensor> fetchValues;
    private final Typed[] dataTypes;
    private boolean closed;

    private TfGraphProgram(TfEngine engine, Program program, TF_Graph graph, TF_Session session, List<GraphValue> feedList,
                           List<GraphValue> fetchList) {
        this.engine = engine;
        this.program = program;
        this.graph = graph;
        this.session = session;
        this.feedCount = feedList.size();
        this.fetchCount = fetchList.size();
        this.feeds = outputs(feedList);
        this.fetches = outputs(fetchList);
        this.feedValues = new PointerPointer<>(Math.max(1, feedCount));
        this.fetchValues = new PointerPointer<>(Math.max(1, fetchCount));
        this.dataTypes = new Typed[program.dataCount()];
        for (Op op : program.ops()) {
            if (op.dataSlot() >= 0) {
                dataTypes[op.dataSlot()] = new Typed(op.shape(), op.dtype());
            }
        }
    }

    /** Builds the graph of {@code program} and opens a session on it. */
    static TfGraphProgram build(TfEngine engine, Program program) {
        TF_Graph graph = TF_NewGraph();
        List<GraphValue> feedList;
        List<GraphValue> fetchList;
        try (PointerScope ignored = new PointerScope()) {
            GraphLowering lowering = new GraphLowering(graph, program);
            feedList = lowering.feeds();
            fetchList = lowering.fetches();
        } catch (RuntimeException | Error e) {
            TF_DeleteGraph(graph);
            throw e;
        }
        TF_SessionOptions options = TF_NewSessionOptions();
        try (BytePointer config = new BytePointer(engine.config())) {
            TF_SetConfig(options, config, config.capacity(), TfStatus.get());
            TfStatus.check("TF_SetConfig");
            TF_Session session = TF_NewSession(graph, options, TfStatus.get());
            TfStatus.check("TF_NewSession");
            return new TfGraphProgram(engine, program, graph, session, feedList, fetchList);
        } catch (RuntimeException | Error e) {
            TF_DeleteGraph(graph);
            throw e;
        } finally {
            TF_DeleteSessionOptions(options);
        }
    }

    private static TF_Output outputs(List<GraphValue> values) {
        TF_Output out = new TF_Output(Math.max(1, values.size()));
        for (int i = 0; i < values.size(); i++) {
            out.position(i).oper(values.get(i).op()).index(values.get(i).index());
        }
        return out.position(0);
    }

    @Override
    public synchronized List<NativeTensor> run(Feeds f) {
        if (closed) {
            throw new IllegalStateException("this compiled TensorFlow program is closed");
        }
        List<TF_Tensor> fed = new ArrayList<>(feedCount);
        try {
            for (NativeTensor input : f.inputs()) {
                fed.add(engine.resolve(TfKernels.tf(input)));
            }
            for (int slot = 0; slot < f.data().size(); slot++) {
                fed.add(hostTensor(f.data().get(slot), dataTypes[slot]));
            }
            if (program.scalarCount() > 0) {
                ByteBuffer b = ByteBuffer.allocate(8 * f.scalars().length).order(ByteOrder.LITTLE_ENDIAN);
                b.asDoubleBuffer().put(f.scalars());
                fed.add(hostTensor(b, new Typed(Shape.of(f.scalars().length), DType.F64)));
            }
            if (program.longCount() > 0) {
                ByteBuffer b = ByteBuffer.allocate(8 * f.longs().length).order(ByteOrder.LITTLE_ENDIAN);
                b.asLongBuffer().put(f.longs());
                fed.add(hostTensor(b, new Typed(Shape.of(f.longs().length), DType.I64)));
            }
            for (int i = 0; i < fed.size(); i++) {
                feedValues.put(i, fed.get(i));
            }
            TF_SessionRun(session, null, feeds, feedValues, feedCount, fetches, fetchValues, fetchCount,
                    (PointerPointer<?>) null, 0, null, TfStatus.get());
        } finally {
            for (TF_Tensor t : fed) {
                TF_DeleteTensor(t);
            }
        }
        TfStatus.check("running a captured step");
        List<NativeTensor> results = new ArrayList<>(fetchCount);
        for (int i = 0; i < fetchCount; i++) {
            TF_Tensor t = fetchValues.get(TF_Tensor.class, i);
            try {
                results.add(engine.adopt(t));
            } catch (RuntimeException | Error e) {
                results.forEach(NativeTensor::close);
                for (int j = i + 1; j < fetchCount; j++) {
                    TF_DeleteTensor(fetchValues.get(TF_Tensor.class, j));
                }
                throw e;
            } finally {
                TF_DeleteTensor(t);
            }
        }
        return results;
    }

    private record Typed(Shape shape, DType dtype) {
    }

    private static TF_Tensor hostTensor(ByteBuffer data, Typed type) {
        TF_Tensor t = TfEngine.allocate(type.shape(), type.dtype());
        long size = data.remaining();
        if (size > 0) {
            TfEngine.bytes(t, size).put(data.duplicate());
        }
        return t;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        TF_CloseSession(session, TfStatus.get());
        TF_DeleteSession(session, TfStatus.get());
        TF_DeleteGraph(graph);
        feeds.close();
        fetches.close();
        feedValues.close();
        fetchValues.close();
    }
}
