package dev.llmforge.backend.nd4j;

import org.nd4j.linalg.api.ops.CustomOpDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/** The libnd4j custom ops the backend calls, by their native names. */
enum NdOp {
    ADD("add"),
    SUBTRACT("subtract"),
    MULTIPLY("multiply"),
    DIVIDE("divide"),
    MAXIMUM("maximum"),
    LESS("less"),
    EQUALS("equals"),
    ASSIGN("assign"),
    PERMUTE("permute"),
    SLICE("slice"),
    CONCAT("concat"),
    GATHER("gather"),
    SEGMENT_SUM("unsorted_segment_sum"),
    REDUCE_SUM("reduce_sum"),
    REDUCE_MAX("reduce_max"),
    ARGMAX("argmax"),
    MATMUL("matmul"),
    LOG_SOFTMAX("log_softmax"),
    MOMENTS("moments"),
    ADAM_UPDATER("adam_updater");

    private final String nativeName;
    private volatile long hash;

    NdOp(String nativeName) {
        this.nativeName = nativeName;
    }

    String nativeName() {
        return nativeName;
    }

    /** The op's hash in libnd4j's registry (looked up once). */
    long hash() {
        long h = hash;
        if (h == 0) {
            CustomOpDescriptor d = Nd4j.getExecutioner().getCustomOperations().get(nativeName);
            if (d == null) {
                throw new IllegalStateException("libnd4j has no custom op named " + nativeName);
            }
            h = d.getHash();
            hash = h;
        }
        return h;
    }
}
