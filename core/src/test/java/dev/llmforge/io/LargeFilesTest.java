package dev.llmforge.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.model.InsufficientMemoryException;
import dev.llmforge.model.TinyModels;
import dev.llmforge.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files over 2 GiB, made as sparse files (nothing but the written bytes reaches the disk): read in
 * pieces where llmforge can hold the content, refused with what is supported where it cannot
 * (mapping such a file whole failed with "Size exceeds Integer.MAX_VALUE").
 */
class LargeFilesTest {
    private static final long GIB = 1L << 30;

    @TempDir
    Path dir;

    /** A sparse file of {@code size} bytes holding {@code head} at 0 and {@code tail} at {@code tailAt}. */
    private Path sparse(String name, long size, byte[] head, long tailAt, byte[] tail) throws IOException {
        Path file = dir.resolve(name);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SPARSE)) {
            ch.write(ByteBuffer.wrap(new byte[1]), size - 1);
            ch.write(ByteBuffer.wrap(head), 0);
            ch.write(ByteBuffer.wrap(tail), tailAt);
        }
        return file;
    }

    private static byte[] safetensorsHeader(String json) {
        byte[] text = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + text.length).order(ByteOrder.LITTLE_ENDIAN).putLong(text.length).put(text).array();
    }

    @Test
    void aSafetensorsFileOver2GibIsReadPastTheLimitAndATensorOver2GibIsRefusedByName() throws IOException {
        long big = 2 * GIB + 8; // more than one Java buffer holds
        String json = "{\"big\":{\"dtype\":\"F32\",\"shape\":[" + big / 4 + "],\"data_offsets\":[0," + big + "]},"
                + "\"small\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + big + "," + (big + 8) + "]}}";
        byte[] header = safetensorsHeader(json);
        byte[] small = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f).array();
        Path file = sparse("big.safetensors", header.length + big + 8, header, header.length + big, small);
        try (SafeTensors st = SafeTensors.open(file)) {
            try (Tensor t = st.load("small", Tensor.on(TinyModels.reference()))) {
                assertArrayEquals(new float[] {1.5f, -2f}, t.toFloatArray(), 0f);
            }
            CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> st.bytes("big"));
            assertTrue(e.getMessage().contains(file + ": tensor 'big' has 2147483656 bytes; llmforge reads tensors of up to 2147483647 bytes"),
                    e.getMessage());
        }
    }

    @Test
    void aLlama2cFileOver2GibIsMeasuredNotMappedWhole() throws IOException {
        // Llama 2 7B: dim 4096, hidden 11008, 32 layers, 32 heads, vocab 32000 (classifier not shared), seq_len 2048:
        // 6,738,415,616 parameters + the RoPE tables seq_len · head_size = 262,144 floats
        int[] header = {4096, 11008, 32, 32, 32, -32000, 2048};
        ByteBuffer h = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : header) {
            h.putInt(v);
        }
        long size = 28 + 4 * (6_738_415_616L + 262_144);
        Path file = sparse("llama2-7b.bin", size, h.array(), 28, new byte[4]);
        assertEquals(size, file.toFile().length());
        InsufficientMemoryException e = assertThrows(InsufficientMemoryException.class,
                () -> Llama2c.load(file, Tensor.on(TinyModels.reference())));
        assertTrue(e.getMessage().startsWith("the model of " + file) && e.getMessage().contains("free in the Java heap"), e.getMessage());
        // one byte short: the header and the size disagree, said in bytes
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size - 1);
        }
        CheckpointFormatException short1 = assertThrows(CheckpointFormatException.class, () -> Llama2c.load(file, Tensor.on(TinyModels.reference())));
        assertTrue(short1.getMessage().contains("has " + size + " bytes, the file has " + (size - 1)), short1.getMessage());
    }

    @Test
    void windowsPastTwoGibOfAFileAreMappedOnTheirOwn() throws IOException {
        byte[] marker = {1, 2, 3, 4, 5, 6, 7, 8};
        Path file = sparse("three-gib.bin", 3 * GIB, new byte[] {9}, 2 * GIB + GIB / 2, marker);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteRegions regions = ByteRegions.of(ch, file.toString());
            ByteBuffer w = regions.window(2 * GIB + GIB / 2, 8, "the marker");
            byte[] read = new byte[8];
            w.get(read);
            assertArrayEquals(marker, read);
            CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> regions.window(3 * GIB - 4, 8, "the end"));
            assertTrue(e.getMessage().contains("the end at bytes [3221225468, 3221225476) runs past the end (3221225472 bytes)"), e.getMessage());
        }
    }
}
