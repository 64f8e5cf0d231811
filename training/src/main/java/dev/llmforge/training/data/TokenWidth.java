package dev.llmforge.training.data;

/** How token ids are stored on disk: nanoGPT's uint16, or uint32 for vocabularies above 65,536. */
public enum TokenWidth {
    UINT16(2),
    UINT32(4);

    private final int bytes;

    TokenWidth(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    /** The narrowest width that holds ids below {@code vocabSize}. */
    public static TokenWidth forVocab(int vocabSize) {
        return vocabSize <= 65536 ? UINT16 : UINT32;
    }
}
