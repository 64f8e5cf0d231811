package dev.llmforge.tokenizer;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.IntFunction;

/** Streaming decoder for byte-level tokens: holds back the bytes of an incomplete UTF-8 sequence. */
final class Utf8StreamingDecoder implements StreamingDecoder {
    private final IntFunction<byte[]> bytesOfId;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private ByteBuffer pending = ByteBuffer.allocate(0);

    /** @param bytesOfId bytes of a token; throws IllegalArgumentException for an id outside the vocabulary */
    Utf8StreamingDecoder(IntFunction<byte[]> bytesOfId) {
        this.bytesOfId = bytesOfId;
    }

    @Override
    public String push(int id) {
        byte[] bytes = bytesOfId.apply(id);
        ByteBuffer input = ByteBuffer.allocate(pending.remaining() + bytes.length);
        input.put(pending).put(bytes).flip();
        CharBuffer output = CharBuffer.allocate(input.remaining() + 1);
        utf8.decode(input, output, false);
        pending = input;
        return output.flip().toString();
    }

    @Override
    public String finish() {
        CharBuffer output = CharBuffer.allocate(pending.remaining() + 1);
        utf8.decode(pending, output, true);
        utf8.flush(output);
        utf8.reset();
        pending = ByteBuffer.allocate(0);
        return output.flip().toString();
    }
}
