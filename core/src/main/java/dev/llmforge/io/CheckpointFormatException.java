package dev.llmforge.io;

import java.io.IOException;

/** A checkpoint or model file that is malformed, hostile, or does not match what was expected. */
public class CheckpointFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public CheckpointFormatException(String message) {
        super(message);
    }

    public CheckpointFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
