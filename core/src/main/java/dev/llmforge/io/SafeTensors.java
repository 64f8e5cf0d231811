package dev.llmforge.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the safetensors format: an 8-byte little-endian header length N, N bytes of JSON
 * ({@code {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}}), then
 * the data section. Files are memory-mapped; tensor bytes are read only when loaded.
 *
 * <p>The whole header is validated before anything else is read or allocated: its length against
 * the file, the JSON, every dtype, shape and offset pair, and that the tensors tile the data section
 * exactly (no overlap, no gap, nothing out of range). Any violation is a
 * {@link CheckpointFormatException} naming the file, the tensor and what was expected.
 */
public final class SafeTensors implements AutoCloseable {
    /** Headers above this size are rejected (as by the reference implementation). */
    public static final long MAX_HEADER_BYTES = 100_000_000;
    static final String METADATA_KEY = "__metadata__";

    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final String source;
    private final FileChannel channel;
    private final ByteRegions regions;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafeTensors(String source, FileChannel channel, ByteRegions regions, long dataStart, Map<String, TensorInfo> tensors,
                        Map<String, String> metadata) {
        this.source = source;
        this.channel = channel;
        this.regions = regions;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Opens and validates a file; tensor data is memory-mapped on demand. */
    public static SafeTensors open(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long size = ch.size();
            String src = file.toString();
            long headerLength = headerLength(src, ch.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(8, size)), size);
            ByteBuffer header = ch.map(FileChannel.MapMode.READ_ONLY, 8, headerLength);
            Parsed p = parseHeader(src, header, size - 8 - headerLength);
            return new SafeTensors(src, ch, ByteRegions.of(ch, src), 8 + headerLength, p.tensors, p.metadata);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Parses a whole file held in memory (e.g. a class-path resource). */
    public static SafeTensors read(ByteBuffer bytes, String source) throws CheckpointFormatException {
        ByteBuffer b = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        long size = b.remaining();
        long headerLength = headerLength(source, b.duplicate(), size);
        ByteBuffer header = b.duplicate().position(8).limit((int) (8 + headerLength)).slice();
        Parsed p = parseHeader(source, header, size - 8 - headerLength);
        return new SafeTensors(source, null, ByteRegions.of(b, source), 8 + headerLength, p.tensors, p.metadata);
    }

    private static long headerLength(String src, ByteBuffer first, long fileSize) throws CheckpointFormatException {
        if (fileSize < 8) {
            throw new CheckpointFormatException(src + ": not a safetensors file: " + fileSize + " bytes, expected at least 8 (the header length)");
        }
        long n = first.order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        if (n < 2 || n > fileSize - 8) {
            throw new CheckpointFormatException(src + ": header length " + Long.toUnsignedString(n) + " is beyond the file ("
                    + fileSize + " bytes, so at most " + (fileSize - 8) + ")");
        }
        if (n > MAX_HEADER_BYTES) {
            throw new CheckpointFormatException(src + ": header length " + n + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        return n;
    }

    private record Parsed(Map<String, TensorInfo> tensors, Map<String, String> metadata) {
    }

    private static Parsed parseHeader(String src, ByteBuffer headerBytes, long dataLength) throws CheckpointFormatException {
        byte[] raw = new byte[headerBytes.remaining()];
        headerBytes.duplicate().get(raw);
        JsonNode root;
        try {
            root = JSON.readTree(new String(raw, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new CheckpointFormatException(src + ": header is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointFormatException(src + ": header must be a JSON object, found " + (root == null ? "nothing" : root.getNodeType()));
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (e.getKey().equals(METADATA_KEY)) {
                readMetadata(src, e.getValue(), metadata);
            } else {
                tensors.put(e.getKey(), readEntry(src, e.getKey(), e.getValue(), dataLength));
            }
        }
        checkTiling(src, tensors, dataLength);
        return new Parsed(Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
    }

    private static void readMetadata(String src, JsonNode node, Map<String, String> out) throws CheckpointFormatException {
        if (!node.isObject()) {
            throw new CheckpointFormatException(src + ": __metadata__ must be an object of strings, found " + node.getNodeType());
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new CheckpointFormatException(src + ": __metadata__." + e.getKey() + " must be a string, found " + e.getValue().getNodeType());
            }
            out.put(e.getKey(), e.getValue().asText());
        }
    }

    private static TensorInfo readEntry(String src, String name, JsonNode node, long dataLength) throws CheckpointFormatException {
        String where = src + ": tensor '" + name + "'";
        if (!node.isObject()) {
            throw new CheckpointFormatException(where + ": entry must be an object, found " + node.getNodeType());
        }
        JsonNode dtypeNode = node.get("dtype");
        JsonNode shapeNode = node.get("shape");
        JsonNode offsetsNode = node.get("data_offsets");
        if (dtypeNode == null || !dtypeNode.isTextual() || shapeNode == null || !shapeNode.isArray() || offsetsNode == null
                || !offsetsNode.isArray()) {
            throw new CheckpointFormatException(where + ": entry needs \"dtype\" (string), \"shape\" (array) and \"data_offsets\""
                    + " (array), found " + node);
        }
        DType dtype = dtypeOf(where, dtypeNode.asText());
        int[] dims = new int[shapeNode.size()];
        for (int i = 0; i < dims.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToInt() || !d.isIntegralNumber() || d.asInt() < 0) {
                throw new CheckpointFormatException(where + ": shape " + shapeNode + " must hold non-negative 32-bit integers");
            }
            dims[i] = d.asInt();
        }
        Shape shape;
        try {
            shape = Shape.of(dims);
        } catch (ArithmeticException e) {
            throw new CheckpointFormatException(where + ": shape " + shapeNode + " has too many elements");
        }
        if (offsetsNode.size() != 2 || !offsetsNode.get(0).canConvertToLong() || !offsetsNode.get(1).canConvertToLong()
                || !offsetsNode.get(0).isIntegralNumber() || !offsetsNode.get(1).isIntegralNumber()) {
            throw new CheckpointFormatException(where + ": data_offsets must be [begin, end] integers, found " + offsetsNode);
        }
        long begin = offsetsNode.get(0).asLong();
        long end = offsetsNode.get(1).asLong();
        if (begin < 0 || end < begin || end > dataLength) {
            throw new CheckpointFormatException(where + ": data_offsets [" + begin + ", " + end + "] out of range: the data section has "
                    + dataLength + " bytes");
        }
        long expected;
        try {
            expected = Math.multiplyExact(shape.numel(), (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new CheckpointFormatException(where + ": shape " + shape + " is too large");
        }
        if (end - begin != expected) {
            throw new CheckpointFormatException(where + ": shape " + shape + " of " + dtype + " needs " + expected + " bytes but"
                    + " data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    /** The safetensors dtypes llmforge reads. */
    private static DType dtypeOf(String where, String name) throws CheckpointFormatException {
        return switch (name) {
            case "F32" -> DType.F32;
            case "F16" -> DType.F16;
            case "BF16" -> DType.BF16;
            case "F64" -> DType.F64;
            case "I32" -> DType.I32;
            case "I64" -> DType.I64;
            case "BOOL" -> DType.BOOL;
            default -> throw new CheckpointFormatException(where + ": unsupported dtype '" + name
                    + "' (supported: F32, F16, BF16, F64, I32, I64, BOOL)");
        };
    }

    /** The safetensors name of a dtype. */
    static String dtypeName(DType dtype) {
        return dtype.name();
    }

    /** Tensors must cover the data section exactly once, in some order: no overlap, no gap. */
    private static void checkTiling(String src, Map<String, TensorInfo> tensors, long dataLength) throws CheckpointFormatException {
        List<TensorInfo> sorted = new ArrayList<>(tensors.values());
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long covered = 0;
        TensorInfo previous = null;
        for (TensorInfo t : sorted) {
            if (t.begin() < covered) {
                throw new CheckpointFormatException(src + ": tensors '" + previous.name() + "' [" + previous.begin() + ", "
                        + previous.end() + "] and '" + t.name() + "' [" + t.begin() + ", " + t.end() + "] overlap");
            }
            if (t.begin() > covered) {
                throw new CheckpointFormatException(src + ": bytes [" + covered + ", " + t.begin() + ") of the data section belong"
                        + " to no tensor (before '" + t.name() + "')");
            }
            covered = t.end();
            previous = t;
        }
        if (covered != dataLength) {
            throw new CheckpointFormatException(src + ": the data section has " + dataLength + " bytes but the tensors cover "
                    + covered);
        }
    }

    // ---- queries --------------------------------------------------------------------------------------

    /** Tensor entries by name, in header order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** The {@code __metadata__} strings (empty if none). */
    public Map<String, String> metadata() {
        return metadata;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public TensorInfo info(String name) throws CheckpointFormatException {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new CheckpointFormatException(source + ": no tensor named '" + name + "'");
        }
        return t;
    }

    /** The raw little-endian bytes of a tensor (mapped, not copied); a tensor over 2 GiB is refused with a message saying so. */
    public ByteBuffer bytes(String name) throws IOException {
        TensorInfo t = info(name);
        return regions.window(dataStart + t.begin(), t.byteSize(), "tensor '" + name + "'");
    }

    /** A tensor with the stored dtype (which the backend must support). */
    public Tensor load(String name, TensorFactory factory) throws IOException {
        TensorInfo t = info(name);
        if (!factory.backend().dtypes().contains(t.dtype())) {
            throw new CheckpointFormatException(source + ": tensor '" + name + "' is " + t.dtype() + ", which backend "
                    + factory.backend().name() + " does not hold; load it converted to a supported dtype");
        }
        return factory.fromBuffer(bytes(name), t.shape(), t.dtype());
    }

    /**
     * A tensor converted to {@code dtype} on the host if stored otherwise (between floating types,
     * or between integer types).
     */
    public Tensor load(String name, TensorFactory factory, DType dtype) throws IOException {
        TensorInfo t = info(name);
        if (t.dtype() == dtype) {
            return load(name, factory);
        }
        if (t.dtype().isFloating() != dtype.isFloating() || t.dtype() == DType.BOOL || dtype == DType.BOOL) {
            throw new CheckpointFormatException(source + ": tensor '" + name + "' is " + t.dtype() + " and cannot be loaded as " + dtype);
        }
        double[] values = HostCodec.decode(bytes(name), t.dtype(), t.shape().size());
        return factory.of(values, t.shape(), dtype);
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }

    @Override
    public String toString() {
        return "SafeTensors(" + source + ", " + tensors.size() + " tensors)";
    }
}
