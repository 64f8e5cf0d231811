package dev.llmforge.backend.djl;

import ai.djl.engine.EngineException;

/** PyTorch's errors from a compiled step, as the exceptions the eager kernels throw for the same fault. */
final class TorchScriptErrors {
    private TorchScriptErrors() {
    }

    static RuntimeException translate(EngineException e) {
        String message = firstLine(e.getMessage());
        String all = String.valueOf(e.getMessage());
        if (all.contains("ZeroDivisionError")) {
            ArithmeticException a = new ArithmeticException("integer division by zero");
            a.initCause(e);
            return a;
        }
        if (all.contains("out of range") || all.contains("out of bounds")) {
            IndexOutOfBoundsException o = new IndexOutOfBoundsException("index out of range in a captured step: " + message);
            o.initCause(e);
            return o;
        }
        return new IllegalStateException("PyTorch failed to run a captured step: " + message, e);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "(no message)";
        }
        for (String line : message.split("\n")) {
            if (!line.isBlank() && !line.startsWith("The following operation failed") && !line.startsWith("Traceback")) {
                return line.strip();
            }
        }
        return message.strip();
    }
}
