package dev.llmforge.alignment.data;

/** Which tokens of a fine-tuning example the loss covers. */
public enum LossOn {
    /** The assistant's tokens and the end-of-turn token that closes each assistant turn (the default). */
    ASSISTANT("assistant"),
    /** Every token: the model also learns to write the prompts. */
    ALL("all");

    private final String id;

    LossOn(String id) {
        this.id = id;
    }

    /** The name used on the command line ({@code --loss-on}). */
    public String id() {
        return id;
    }

    /**
     * The choice called {@code id}: {@code assistant} or {@code all}.
     *
     * @throws IllegalArgumentException naming the choices
     */
    public static LossOn named(String id) {
        return RecordFormat.named(values(), LossOn::id, id, "loss choice");
    }
}
