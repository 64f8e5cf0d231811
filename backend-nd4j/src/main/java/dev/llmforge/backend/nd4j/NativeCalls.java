package dev.llmforge.backend.nd4j;

import org.bytedeco.javacpp.BooleanPointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.cpu.nativecpu.buffer.BaseCpuDataBuffer;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.nd4j.nativeblas.OpaqueContext;
import org.nd4j.nativeblas.OpaqueDataBuffer;

/**
 * One thread's direct line to libnd4j. ND4J's own {@code Nd4j.exec} builds a Java op object, a
 * native op context and its argument buffers for every call, which costs more than a small op's
 * arithmetic (module README, "What runs where" and the dispatch figures); this class keeps one
 * native context and fixed argument buffers per thread and calls the custom
 * ops and legacy transforms directly, with outputs the caller preallocated.
 *
 * <p>Not thread-safe: {@link Nd4jBackend} gives each thread its own instance.
 */
final class NativeCalls implements AutoCloseable {
    private static final int MAX_ARGS = 64;

    private final NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
    private final OpaqueContext context = ops.createGraphContext(1);
    private final LongPointer iArgs = new LongPointer(MAX_ARGS);
    private final BooleanPointer bArgs = new BooleanPointer(MAX_ARGS);
    private final DoublePointer tArgs = new DoublePointer(MAX_ARGS);
    private final PointerPointer<Pointer> extras = new PointerPointer<>(32);
    /** Rank-0 operands of the legacy scalar ops, one per float type, rewritten before each call. */
    private final INDArray floatScalar = Nd4j.scalar(DataType.FLOAT, 0f);
    private final INDArray doubleScalar = Nd4j.scalar(DataType.DOUBLE, 0d);

    /** Runs a libnd4j custom op on preallocated outputs. */
    void custom(NdOp op, INDArray[] inputs, INDArray[] outputs, long[] ints, boolean[] bools, double[] reals) {
        ops.ctxPurge(context);
        for (int i = 0; i < inputs.length; i++) {
            INDArray a = inputs[i];
            ops.setGraphContextInputBuffer(context, i, buffer(a), a.shapeInfoDataBuffer().addressPointer(), null);
        }
        for (int i = 0; i < outputs.length; i++) {
            INDArray a = outputs[i];
            ops.setGraphContextOutputBuffer(context, i, buffer(a), a.shapeInfoDataBuffer().addressPointer(), null);
        }
        // always set all three: ctxPurge keeps the previous op's arguments, and a stale boolean
        // argument changes what some ops do (concat then reads its axis from the last input)
        checkArgs(op, Math.max(ints.length, Math.max(bools.length, reals.length)));
        iArgs.put(ints, 0, ints.length);
        ops.setGraphContextIArguments(context, iArgs, ints.length);
        bArgs.put(bools, 0, bools.length);
        ops.setGraphContextBArguments(context, bArgs, bools.length);
        tArgs.put(reals, 0, reals.length);
        ops.setGraphContextTArguments(context, tArgs, reals.length);
        int status = ops.execCustomOp2(null, op.hash(), context);
        if (status != 0) {
            throw failure(op.nativeName(), inputs, outputs, "status " + status + ": " + ops.lastErrorMessage());
        }
    }

    void custom(NdOp op, INDArray output, INDArray... inputs) {
        custom(op, inputs, new INDArray[] {output}, NO_INTS, NO_BOOLS, NO_REALS);
    }

    /** {@code z = f(x)} for a legacy transform; x and z have the same shape. */
    void transform(Legacy op, INDArray x, INDArray z) {
        OpaqueDataBuffer xb = buffer(x);
        OpaqueDataBuffer zb = buffer(z);
        LongPointer xs = shapeInfo(x);
        LongPointer zs = shapeInfo(z);
        switch (op.type()) {
            case TRANSFORM_STRICT -> ops.execTransformStrict(extras, op.number(), xb, xs, null, zb, zs, null, null);
            case TRANSFORM_FLOAT -> ops.execTransformFloat(extras, op.number(), xb, xs, null, zb, zs, null, null);
            case TRANSFORM_SAME -> ops.execTransformSame(extras, op.number(), xb, xs, null, zb, zs, null, null);
            default -> throw new IllegalStateException("not a transform: " + op);
        }
        checkError(op.name(), x, z);
    }

    /** {@code z = x op value} for a legacy scalar op on a float array; z may be x (in place). */
    void scalar(Legacy op, INDArray x, double value, INDArray z) {
        INDArray s = switch (x.dataType()) {
            case FLOAT -> floatScalar;
            case DOUBLE -> doubleScalar;
            default -> throw new IllegalArgumentException("scalar op " + op + " on " + x.dataType());
        };
        s.data().put(0, value);
        ops.execScalar(extras, op.number(), buffer(x), shapeInfo(x), null, buffer(z), shapeInfo(z), null,
                buffer(s), shapeInfo(s), null, null);
        checkError(op.name(), x, z);
    }

    @Override
    public void close() {
        ops.deleteGraphContext(context);
        floatScalar.close();
        doubleScalar.close();
        iArgs.close();
        bArgs.close();
        tArgs.close();
        extras.close();
    }

    private void checkError(String op, INDArray x, INDArray z) {
        if (ops.lastErrorCode() != 0) {
            throw failure(op, new INDArray[] {x}, new INDArray[] {z}, ops.lastErrorMessage());
        }
    }

    private static void checkArgs(NdOp op, int n) {
        if (n > MAX_ARGS) {
            throw new IllegalArgumentException("nd4j op " + op.nativeName() + ": " + n + " arguments, at most " + MAX_ARGS);
        }
    }

    private static OpaqueDataBuffer buffer(INDArray a) {
        return a.isEmpty() ? null : ((BaseCpuDataBuffer) a.data()).getOpaqueDataBuffer();
    }

    private static LongPointer shapeInfo(INDArray a) {
        return (LongPointer) a.shapeInfoDataBuffer().addressPointer();
    }

    private static IllegalStateException failure(String op, INDArray[] inputs, INDArray[] outputs, String message) {
        StringBuilder sb = new StringBuilder("nd4j op ").append(op).append(" failed on inputs");
        for (INDArray a : inputs) {
            sb.append(' ').append(a.dataType()).append(java.util.Arrays.toString(a.shape()));
        }
        sb.append(", outputs");
        for (INDArray a : outputs) {
            sb.append(' ').append(a.dataType()).append(java.util.Arrays.toString(a.shape()));
        }
        return new IllegalStateException(sb.append(": ").append(message).toString());
    }

    static final long[] NO_INTS = {};
    static final boolean[] NO_BOOLS = {};
    static final double[] NO_REALS = {};
}
