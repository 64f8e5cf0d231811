package dev.llmforge.alignment.data;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * The lines of a UTF-8 text file, gzip-compressed or not (recognised by its first two bytes), counted from 1.
 * Line ends are {@code \n} or {@code \r\n}; a byte-order mark at the start is dropped. A line that is not UTF-8
 * stops the reading with an error naming it (a file in another encoding is usually wrong throughout).
 */
final class TextLines implements Closeable {
    private final String file;
    private final InputStream in;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final byte[] buffer = new byte[1 << 16];
    private int position;
    private int limit;
    private byte[] line = new byte[256];
    private int number;

    private TextLines(String file, InputStream in) {
        this.file = file;
        this.in = in;
    }

    static TextLines open(Path path) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(path), 2);
        try {
            in.mark(2);
            boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
            in.reset();
            if (gzip) {
                in = new GZIPInputStream(in, 1 << 16);
            }
        } catch (IOException e) {
            in.close();
            throw e;
        }
        return new TextLines(path.toString(), in);
    }

    /** The file as named when it was opened. */
    String file() {
        return file;
    }

    /** The next line without its line end, or null at the end of the file. */
    String next() throws IOException {
        int length = 0;
        boolean any = false;
        while (true) {
            if (position == limit) {
                limit = in.read(buffer);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    if (!any) {
                        return null;
                    }
                    break;
                }
            }
            any = true;
            int start = position;
            while (position < limit && buffer[position] != '\n') {
                position++;
            }
            int piece = position - start;
            if (length + piece > line.length) {
                line = Arrays.copyOf(line, Math.max(line.length * 2, length + piece));
            }
            System.arraycopy(buffer, start, line, length, piece);
            length += piece;
            if (position < limit) {
                position++; // the '\n'
                break;
            }
        }
        if (length > 0 && line[length - 1] == '\r') {
            length--;
        }
        number++;
        String text;
        try {
            text = decoder.decode(ByteBuffer.wrap(line, 0, length)).toString();
        } catch (CharacterCodingException e) {
            throw new BadRecordException(new BadRecord(location(),
                    "expected UTF-8 text, found bytes that are not UTF-8 (is the file in another encoding?)"));
        }
        return number == 1 && text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /** The number of the line {@link #next()} returned last, counting from 1. */
    int number() {
        return number;
    }

    /** Where the line {@link #next()} returned last is. */
    RecordLocation location() {
        return new RecordLocation(file, number);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
