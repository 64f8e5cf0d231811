package dev.llmforge.backend.tensorflow;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_GetCode;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_Message;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewStatus;

import org.tensorflow.internal.c_api.TF_Status;

/** A reusable TensorFlow status per thread, turned into Java exceptions. */
final class TfStatus {
    private static final int OK = 0;
    private static final int INVALID_ARGUMENT = 3;
    private static final int OUT_OF_RANGE = 11;
    private static final ThreadLocal<TF_Status> STATUS = ThreadLocal.withInitial(() -> TF_NewStatus());

    private TfStatus() {
    }

    /** This thread's status object (never deleted: one per thread). */
    static TF_Status get() {
        return STATUS.get();
    }

    /** Throws if the last call that used this thread's status failed; {@code what} names the call. */
    static void check(String what) {
        TF_Status s = STATUS.get();
        int code = TF_GetCode(s);
        if (code == OK) {
            return;
        }
        String message = "TensorFlow " + what + ": " + TF_Message(s).getString();
        switch (code) {
            case INVALID_ARGUMENT -> throw new IllegalArgumentException(message);
            case OUT_OF_RANGE -> throw new IndexOutOfBoundsException(message);
            default -> throw new IllegalStateException(message + " (TF status code " + code + ")");
        }
    }
}
