package dev.llmforge.tokenizer;

import java.io.IOException;

/** A tokenizer file does not have the expected content; the message names the file, where, what was expected and what was found. */
public class TokenizerFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public TokenizerFormatException(String message) {
        super(message);
    }

    public TokenizerFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
