package dev.llmforge.training.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NanoGptFormatTest {
    @TempDir
    Path dir;

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(NanoGptFormatTest.class.getResource("/nanogpt/" + name).toURI());
    }

    @Test
    void readsTheMetaPickleNanoGptWrites() throws Exception {
        NanoGptMeta meta = NanoGptMeta.read(resource("meta.pkl"));
        assertEquals(65, meta.vocabSize());
        assertEquals("\n", meta.itos().get(0));
        assertEquals(" ", meta.itos().get(1));
        assertEquals("z", meta.itos().get(64));
    }

    @Test
    void metaRoundTripsThroughOurWriter() throws Exception {
        NanoGptMeta meta = NanoGptMeta.read(resource("meta.pkl"));
        Path out = dir.resolve("meta.pkl");
        meta.write(out);
        assertEquals(meta, NanoGptMeta.read(out));
    }

    @Test
    void readsUint16TokenFilesAndMatchesTheTextEncoding() throws Exception {
        NanoGptMeta meta = NanoGptMeta.read(resource("meta.pkl"));
        String text = Files.readString(resource("head2000.txt"), StandardCharsets.UTF_8);
        TokenDataset data = TokenDataset.open(resource("head2000.bin"), TokenWidth.UINT16);
        assertEquals(text.length(), data.size());
        StringBuilder decoded = new StringBuilder();
        for (long i = 0; i < data.size(); i++) {
            decoded.append(meta.itos().get(data.get(i)));
        }
        assertEquals(text, decoded.toString());
    }

    @Test
    void writtenTokenFilesAreByteIdenticalToNumpys() throws Exception {
        TokenDataset original = TokenDataset.open(resource("head2000.bin"), TokenWidth.UINT16);
        int[] ids = new int[(int) original.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = original.get(i);
        }
        Path out = dir.resolve("train.bin");
        TokenDataset.write(out, ids, TokenWidth.UINT16);
        assertArrayEquals(Files.readAllBytes(resource("head2000.bin")), Files.readAllBytes(out));
        try (var s = Files.list(dir)) {
            assertEquals("train.bin", s.map(p -> p.getFileName().toString()).collect(Collectors.joining(",")), "no temporary file left");
        }
    }

    @Test
    void rejectsBadFiles() throws IOException {
        Path odd = dir.resolve("odd.bin");
        Files.write(odd, new byte[] {1, 2, 3});
        var e = assertThrows(IOException.class, () -> TokenDataset.open(odd, TokenWidth.UINT16));
        assertTrue(e.getMessage().contains("not a multiple"), e.getMessage());
        assertThrows(IOException.class, () -> TokenDataset.open(dir.resolve("missing.bin"), TokenWidth.UINT16));
        Path garbage = dir.resolve("meta.pkl");
        Files.write(garbage, new byte[] {(byte) 0x80, 4, 'c', 'o', 's'});
        assertThrows(IOException.class, () -> NanoGptMeta.read(garbage));
        assertThrows(IllegalArgumentException.class, () -> TokenDataset.write(dir.resolve("x.bin"), new int[] {70000}, TokenWidth.UINT16));
    }
}
