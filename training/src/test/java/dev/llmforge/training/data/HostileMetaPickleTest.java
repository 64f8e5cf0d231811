package dev.llmforge.training.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hand-made hostile {@code meta.pkl} files: each ends in an IOException naming the file and the problem, fast. */
class HostileMetaPickleTest {
    @TempDir
    Path dir;

    /** Pickle opcodes, written byte by byte. */
    private static final class Bytes {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Bytes op(int... codes) {
            for (int c : codes) {
                out.write(c);
            }
            return this;
        }

        Bytes str(String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            out.write('X');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(utf8.length).array());
            out.writeBytes(utf8);
            return this;
        }

        Bytes int32(int v) {
            out.write('J');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
            return this;
        }

        Path writeTo(Path file) throws IOException {
            Files.write(file, out.toByteArray());
            return file;
        }
    }

    private IOException readFails(Bytes pickle) throws IOException {
        Path file = pickle.writeTo(dir.resolve("meta.pkl"));
        IOException e = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThrows(IOException.class, () -> NanoGptMeta.read(file)));
        assertTrue(e.getMessage().contains(file.toString()), "names the file: " + e.getMessage());
        return e;
    }

    @Test
    void aListContainingItselfAsADictKeyIsRefusedWithoutRecursion() throws IOException {
        // { L: 1 } where L = [L]: 14 bytes that overflowed the stack through List.hashCode
        Bytes pickle = new Bytes().op(0x80, 2, '}', ']', 0x94, 'h', 0, 'a', 'h', 0, 'K', 1, 's', '.');
        assertEquals(14, pickle.out.size());
        IOException e = readFails(pickle);
        assertTrue(e.getMessage().contains("list used as a dict key"), e.getMessage());
    }

    @Test
    void aCycleInAnItosValueIsReportedByTypeNotPrinted() throws IOException {
        // {'vocab_size': 1, 'itos': {0: A}} with A = [B], B = [A]: printing A recursed without end
        Bytes pickle = new Bytes().op(0x80, 2, '}').str("vocab_size").op('K', 1, 's').str("itos").op('}', 'K', 0)
                .op(']', 0x94, ']', 0x94, 'h', 0, 'a', 'a', 's', 's', '.');
        IOException e = readFails(pickle);
        assertTrue(e.getMessage().contains("bad itos entry") && e.getMessage().contains("-> list"), e.getMessage());
    }

    @Test
    void hugeOrNegativeVocabSizesAreRefusedBeforeAllocating() throws IOException {
        for (int vocab : new int[] {Integer.MAX_VALUE, -1, 0, 65537}) {
            Bytes pickle = new Bytes().op(0x80, 2, '}').str("vocab_size").int32(vocab).op('s').str("itos").op('}', 's', '.');
            IOException e = readFails(pickle);
            assertTrue(e.getMessage().contains("vocab_size " + vocab + " is out of range"), e.getMessage());
        }
    }

    @Test
    void vocabSizeMustMatchTheTable() throws IOException {
        Bytes pickle = new Bytes().op(0x80, 2, '}').str("vocab_size").int32(60000).op('s').str("itos").op('}', 'K', 0).str("a")
                .op('s', 's', '.');
        IOException e = readFails(pickle);
        assertTrue(e.getMessage().contains("vocab_size 60000 but itos has 1 entries"), e.getMessage());
    }

    @Test
    void aBinUnicode8LengthBeyondTheDataIsRefused() throws IOException {
        Bytes pickle = new Bytes().op(0x80, 4, 0x8d).op(1, 0, 0, 0x80, 0, 0, 0, 0).op('a', 'b', '.');
        IOException e = readFails(pickle);
        assertTrue(e.getMessage().contains("string of 2147483649 bytes") && e.getMessage().contains("runs past the end"), e.getMessage());
    }

    @Test
    void aLongRunOfItemsIsReadInLinearTime() throws IOException {
        // ] ( K 1 K 1 ... e: 500,000 items after one MARK (quadratic when each item was inserted at the front)
        int items = 500_000;
        Bytes pickle = new Bytes().op(0x80, 2, ']', '(');
        for (int i = 0; i < items; i++) {
            pickle.op('K', 1);
        }
        pickle.op('e', '.');
        Path file = pickle.writeTo(dir.resolve("meta.pkl"));
        List<?> list = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> (List<?>) Pickle.read(Files.readAllBytes(file)));
        assertEquals(items, list.size());
        IOException e = readFails(pickle);
        assertTrue(e.getMessage().contains("is a pickled list, expected a dict"), e.getMessage());
    }

    @Test
    void oversizedFilesAreRefusedUnread() throws IOException {
        Path file = dir.resolve("meta.pkl");
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.SPARSE)) {
            ch.write(ByteBuffer.wrap(new byte[] {'.'}), NanoGptMeta.MAX_FILE_BYTES);
        }
        IOException e = assertThrows(IOException.class, () -> NanoGptMeta.read(file));
        assertTrue(e.getMessage().contains("more than a character table needs"), e.getMessage());
    }

    @Test
    void anOddSetItemsIsRefused() throws IOException {
        IOException e = readFails(new Bytes().op(0x80, 2, '}', '(', 'K', 1, 'u', '.'));
        assertTrue(e.getMessage().contains("odd number of items"), e.getMessage());
    }
}
