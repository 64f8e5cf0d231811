package dev.llmforge.distributed;

/**
 * A collective operation failed: a peer died, hung past the timeout, or sent data that does not match
 * this replica's call. The message names the operation and the peer (rank, and address where there is one).
 */
public class CollectiveException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CollectiveException(String message) {
        super(message);
    }

    public CollectiveException(String message, Throwable cause) {
        super(message, cause);
    }
}
