package dev.llmforge.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes tensors in the safetensors format, atomically (temporary file, then rename). Tensors are
 * written in the map's order; the header is padded with spaces to a multiple of 8 bytes.
 */
public final class SafeTensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafeTensorsWriter() {
    }

    /** Writes every tensor in its own dtype. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        write(file, tensors, metadata, null);
    }

    /**
     * Writes the tensors, storing floating-point ones as {@code floatStorage} (F32, F16, BF16 or F64;
     * null keeps each tensor's dtype). Integer tensors are always stored as they are.
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata, DType floatStorage)
            throws IOException {
        if (floatStorage != null && !floatStorage.isFloating()) {
            throw new IllegalArgumentException("floatStorage must be a floating-point dtype, got " + floatStorage);
        }
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject(SafeTensors.METADATA_KEY);
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey().equals(SafeTensors.METADATA_KEY)) {
                throw new IllegalArgumentException("a tensor cannot be named " + SafeTensors.METADATA_KEY);
            }
            Tensor t = e.getValue();
            DType stored = storedType(t.dtype(), floatStorage);
            ObjectNode entry = header.putObject(e.getKey());
            entry.put("dtype", SafeTensors.dtypeName(stored));
            ArrayNode shape = entry.putArray("shape");
            for (int d : t.shape().dims()) {
                shape.add(d);
            }
            long size = t.shape().numel() * stored.byteSize();
            entry.putArray("data_offsets").add(offset).add(offset + size);
            offset += size;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        AtomicFiles.write(file, ch -> {
            writeFully(ch, head);
            for (Tensor t : tensors.values()) {
                DType stored = storedType(t.dtype(), floatStorage);
                ByteBuffer data = t.toBuffer();
                if (stored != t.dtype()) {
                    data = HostCodec.convert(data, t.dtype(), stored, t.shape().size());
                }
                writeFully(ch, data);
            }
        });
    }

    private static DType storedType(DType dtype, DType floatStorage) {
        return floatStorage != null && dtype.isFloating() ? floatStorage : dtype;
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
