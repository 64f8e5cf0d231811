package dev.llmforge.examples.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Text files a command reads (a corpus, a prompt), strictly UTF-8. */
final class TextFiles {
    private TextFiles() {
    }

    /**
     * The text of {@code file}; a file that is not UTF-8 is refused naming it ({@code role}: "input
     * file", "prompt file") and the offset of the first byte that does not decode.
     */
    static String readUtf8(Path file, String role) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(role + " " + file + " does not exist");
        }
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file));
        CharBuffer out = CharBuffer.allocate(in.remaining()); // UTF-8 never has fewer bytes than chars
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw new IOException(String.format(Locale.ROOT, "%s %s is not UTF-8 text: byte 0x%02X at offset %d does not decode", role, file,
                    in.get(in.position()) & 0xFF, in.position()));
        }
        return out.flip().toString();
    }
}
