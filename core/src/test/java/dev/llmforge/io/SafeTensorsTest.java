package dev.llmforge.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    private final Backend backend = Backends.get("reference");
    private final TensorFactory t = Tensor.on(backend);

    @TempDir
    Path dir;

    @Test
    void roundTripsEveryDtypeWithMetadata() throws IOException {
        Path file = dir.resolve("x.safetensors");
        try (TensorScope ignored = TensorScope.open()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("f32", t.of(new float[] {1.5f, -2.25f, 3e-5f, 7f, 0, -0f}, 2, 3));
            tensors.put("i32", t.of(new int[] {1, -2, Integer.MAX_VALUE}, 3));
            tensors.put("i64", t.of(new long[] {Long.MIN_VALUE, 5}, 2, 1));
            tensors.put("scalar", t.scalar(4, DType.F32));
            SafeTensorsWriter.write(file, tensors, Map.of("format", "pt"));
            try (SafeTensors st = SafeTensors.open(file)) {
                assertEquals(List.of("f32", "i32", "i64", "scalar"), List.copyOf(st.tensors().keySet()));
                assertEquals("pt", st.metadata().get("format"));
                assertArrayEquals(tensors.get("f32").toFloatArray(), st.load("f32", t).toFloatArray());
                assertArrayEquals(new int[] {1, -2, Integer.MAX_VALUE}, st.load("i32", t).toIntArray());
                assertArrayEquals(new long[] {Long.MIN_VALUE, 5}, st.load("i64", t).toLongArray());
                assertEquals(Shape.of(2, 1), st.info("i64").shape());
                assertEquals(Shape.scalar(), st.load("scalar", t).shape());
            }
            assertEquals(0, headerLength(file) % 8, "header padded to 8 bytes");
        }
    }

    @Test
    void halfPrecisionIsWrittenAndReadWithHostConversion() throws IOException {
        Path file = dir.resolve("half.safetensors");
        float[] values = {1f, -0.5f, 65504f, 1.0009765625f, 3.14159f};
        for (DType half : new DType[] {DType.F16, DType.BF16}) {
            try (TensorScope ignored = TensorScope.open()) {
                SafeTensorsWriter.write(file, Map.of("w", t.of(values, 5)), Map.of(), half);
                try (SafeTensors st = SafeTensors.open(file)) {
                    assertEquals(half, st.info("w").dtype());
                    assertEquals(10, st.info("w").byteSize());
                    float[] back = st.load("w", t, DType.F32).toFloatArray();
                    for (int i = 0; i < values.length; i++) {
                        assertEquals(values[i], back[i], Math.abs(values[i]) * (half == DType.F16 ? 1e-3 : 8e-3), half + " " + i);
                    }
                    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> st.load("w", t));
                    assertTrue(e.getMessage().contains("does not hold"), e.getMessage());
                }
            }
        }
    }

    @Test
    void writesAtomicallyLeavingNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("a.safetensors");
        try (TensorScope ignored = TensorScope.open()) {
            SafeTensorsWriter.write(file, Map.of("x", t.of(new float[] {1}, 1)), Map.of());
            byte[] before = Files.readAllBytes(file);
            Tensor closed = t.of(new float[] {2}, 1);
            closed.close();
            assertThrows(IllegalStateException.class, () -> SafeTensorsWriter.write(file, Map.of("x", closed), Map.of()));
            assertArrayEquals(before, Files.readAllBytes(file), "a failed write leaves the old file");
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(file), files.toList(), "no temporary file left behind");
            }
        }
    }

    // ---- hostile files ------------------------------------------------------------------------------------

    @Test
    void rejectsAHeaderLengthBeyondTheFile() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40);
        assertRejected(b.array(), "beyond the file");
        assertRejected(new byte[] {1, 2, 3}, "at least 8");
        ByteBuffer negative = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-5);
        assertRejected(negative.array(), "beyond the file");
    }

    @Test
    void rejectsOffsetsOutOfRange() throws IOException {
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4), "out of range");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 4), "out of range");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", 4), "out of range");
    }

    @Test
    void rejectsOverlappingOrGappedTensors() throws IOException {
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "overlap");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "belong to no tensor");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8), "cover 4");
    }

    @Test
    void rejectsUnknownDtypes() throws IOException {
        assertRejected(file("{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]}}", 4), "unsupported dtype 'F8_E4M3'");
    }

    @Test
    void rejectsShapeSizeMismatches() throws IOException {
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8), "needs 12 bytes");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4), "non-negative");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[65536,65536,65536,65536],\"data_offsets\":[0,4]}}", 4), "too");
    }

    @Test
    void rejectsMalformedHeaders() throws IOException {
        assertRejected(file("{\"a\":{\"dtype\":\"F32\"", 0), "not valid JSON");
        assertRejected(file("[1, 2]", 0), "must be a JSON object");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4), "data_offsets");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "not valid JSON");
        assertRejected(file("{\"__metadata__\":{\"k\":3}}", 0), "must be a string");
    }

    private byte[] file(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return b.array();
    }

    private void assertRejected(byte[] bytes, String messagePart) throws IOException {
        Path file = Files.write(dir.resolve("hostile.safetensors"), bytes);
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> SafeTensors.open(file).close());
        assertTrue(e.getMessage().contains(messagePart), "expected '" + messagePart + "' in: " + e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), "the message names the file: " + e.getMessage());
        CheckpointFormatException inMemory = assertThrows(CheckpointFormatException.class, () -> SafeTensors.read(ByteBuffer.wrap(bytes), "mem"));
        assertTrue(inMemory.getMessage().contains(messagePart), inMemory.getMessage());
    }

    private static long headerLength(Path file) throws IOException {
        byte[] first = new byte[8];
        try (var in = Files.newInputStream(file)) {
            assertEquals(8, in.read(first));
        }
        return ByteBuffer.wrap(first).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }
}
