package dev.llmforge.tensor;

/** No backend could be found or started; the message lists what discovery found and why each failed. */
public final class BackendNotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BackendNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
