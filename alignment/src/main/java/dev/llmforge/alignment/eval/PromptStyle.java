package dev.llmforge.alignment.eval;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How a question is put to the model (prompt engineering without training). The exact text of each style is
 * {@link EvalPrompt}'s; this names them.
 */
public enum PromptStyle {
    /** The question as written, to be continued: a cloze such as "The capital of Peru is" for a base model's recall. */
    COMPLETION("completion"),
    /** The question alone, as a question-and-answer turn. */
    ZERO_SHOT("zero-shot"),
    /** The question after {@link EvalPrompt#INSTRUCTION}. */
    INSTRUCTION("instruction"),
    /** Solved exemplars first, each answered with its final answer only. */
    FEW_SHOT("few-shot"),
    /** Solved exemplars first, each answered with its worked solution (few-shot chain of thought, Wei et al. 2022). */
    COT("cot");

    private final String id;

    PromptStyle(String id) {
        this.id = id;
    }

    /** The name on the command line ({@code --prompt-style}). */
    public String id() {
        return id;
    }

    /** Whether the style shows exemplars before the question. */
    public boolean usesExemplars() {
        return this == FEW_SHOT || this == COT;
    }

    /**
     * The style called {@code id}.
     *
     * @throws IllegalArgumentException listing the names there are
     */
    public static PromptStyle named(String id) {
        for (PromptStyle style : values()) {
            if (style.id.equals(id)) {
                return style;
            }
        }
        throw new IllegalArgumentException("unknown prompt style \"" + id + "\"; expected one of "
                + Arrays.stream(values()).map(PromptStyle::id).collect(Collectors.joining(", ")));
    }
}
