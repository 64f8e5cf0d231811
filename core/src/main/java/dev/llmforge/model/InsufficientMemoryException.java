package dev.llmforge.model;

/** A model or run that an estimate shows cannot fit the memory there is, refused before anything is allocated. */
public class InsufficientMemoryException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InsufficientMemoryException(String message) {
        super(message);
    }
}
