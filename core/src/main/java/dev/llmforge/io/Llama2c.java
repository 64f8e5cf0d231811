package dev.llmforge.io;

import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.model.MemoryBudget;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Karpathy's llama2.c checkpoints (the legacy "version 0" export, e.g. {@code stories260K.bin}):
 * seven int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size — negative when the
 * classifier is not shared — and seq_len), then float32 weights in run.c's order, each matrix
 * stored (out, in): token embedding, attention RMSNorm weights, wq, wk, wv, wo, FFN RMSNorm
 * weights, w1, w2, w3, final RMSNorm weight, the RoPE tables (unused: llmforge builds its own), and
 * the classifier if not shared.
 *
 * <p>The model is a LLaMA-family {@link GptConfig}: RMSNorm eps 1e-5, interleaved RoPE
 * (run.c's convention), SwiGLU, grouped-query attention. wq|wk|wv become {@code c_attn}, wo
 * {@code c_proj}, w1/w3/w2 {@code gate_proj/up_proj/down_proj}.
 */
public final class Llama2c {
    private static final int HEADER_BYTES = 7 * 4;
    private static final int VERSIONED_MAGIC = 0x616b3432; // "ak42"

    private Llama2c() {
    }

    /** The configuration a llama2.c header describes. */
    public record Header(int dim, int hiddenDim, int nLayers, int nHeads, int nKvHeads, int vocabSize, boolean sharedClassifier,
                         int seqLen) {
        public GptConfig toConfig() {
            return GptConfig.llama(vocabSize, seqLen, nLayers, nHeads, nKvHeads, dim, hiddenDim).toBuilder()
                    .tieWeights(sharedClassifier).build();
        }

        /** float32 elements the weights take, for this header (exact; overflow is an error). */
        long weightFloats() {
            long headSize = dim / nHeads;
            long kvDim = headSize * nKvHeads;
            long perLayer = sum(2L * dim, product(2, dim, dim), product(2, dim, kvDim), product(3, dim, hiddenDim));
            return sum(product(vocabSize, dim), product(nLayers, perLayer), dim, product(seqLen, headSize),
                    sharedClassifier ? 0 : product(vocabSize, dim));
        }

        private static long product(long... v) {
            long p = 1;
            for (long x : v) {
                p = Math.multiplyExact(p, x);
            }
            return p;
        }

        private static long sum(long... v) {
            long s = 0;
            for (long x : v) {
                s = Math.addExact(s, x);
            }
            return s;
        }
    }

    /** Loads a checkpoint file into an F32 model on {@code tensors}' backend; the file is mapped one tensor at a time (any size). */
    public static Gpt load(Path file, TensorFactory tensors) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return load(ByteRegions.of(ch, file.toString()), file.toString(), tensors);
        }
    }

    /** Loads a checkpoint held in memory (e.g. a class-path resource). */
    public static Gpt load(ByteBuffer bytes, String source, TensorFactory tensors) throws IOException {
        return load(ByteRegions.of(bytes, source), source, tensors);
    }

    private static Gpt load(ByteRegions file, String source, TensorFactory tensors) throws IOException {
        Header h = readHeader(file.window(0, Math.min(HEADER_BYTES, file.size()), "the header"), source);
        GptConfig config;
        try {
            config = h.toConfig();
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(source + ": header describes an invalid model: " + e.getMessage(), e);
        }
        long expected;
        try {
            expected = Math.addExact(HEADER_BYTES, Math.multiplyExact(4, h.weightFloats()));
        } catch (ArithmeticException e) {
            throw new CheckpointFormatException(source + ": header " + h + " describes more weights than any file can hold");
        }
        if (file.size() != expected) {
            throw new CheckpointFormatException(source + ": a llama2.c checkpoint with " + h + " has " + expected + " bytes, the file has "
                    + file.size());
        }
        MemoryBudget.require(MemoryBudget.modelBytes(config, DType.F32, tensors.backend()), tensors.backend(), "the model of " + source
                + " (" + h + ")", "load it on a machine with more memory");
        Gpt model = Gpt.forLoading(config, tensors, DType.F32);
        try (TensorScope ignored = TensorScope.open()) {
            model.loadParameters(readWeights(file, source, h, tensors));
            return model;
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** Reads and checks the seven-int header. */
    public static Header readHeader(ByteBuffer bytes, String source) throws CheckpointFormatException {
        ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < HEADER_BYTES) {
            throw new CheckpointFormatException(source + ": " + b.remaining() + " bytes is too short for a llama2.c header (" + HEADER_BYTES + ")");
        }
        int p = b.position();
        int[] v = new int[7];
        for (int i = 0; i < 7; i++) {
            v[i] = b.getInt(p + 4 * i);
        }
        if (v[0] == VERSIONED_MAGIC) {
            throw new CheckpointFormatException(source + ": this is llama2.c's versioned export (magic \"ak42\", version " + v[1]
                    + "); only the legacy format (export --version 0) is supported");
        }
        boolean shared = v[5] > 0;
        int vocab = Math.abs(v[5]);
        for (int i = 0; i < 7; i++) {
            if ((i == 5 ? vocab : v[i]) <= 0) {
                throw new CheckpointFormatException(source + ": header field " + i + " is " + v[i] + "; expected positive dim, hidden_dim,"
                        + " n_layers, n_heads, n_kv_heads, vocab_size (non-zero) and seq_len");
            }
        }
        if (v[0] % v[3] != 0 || v[3] % v[4] != 0 || (v[0] / v[3]) % 2 != 0) {
            throw new CheckpointFormatException(source + ": dim " + v[0] + ", n_heads " + v[3] + ", n_kv_heads " + v[4]
                    + " do not form even-width heads grouped over the key/value heads");
        }
        return new Header(v[0], v[1], v[2], v[3], v[4], vocab, shared, v[6]);
    }

    /** The weights under llmforge's names (in the current scope). */
    private static Map<String, Tensor> readWeights(ByteRegions b, String source, Header h, TensorFactory f) throws IOException {
        int dim = h.dim();
        int hidden = h.hiddenDim();
        int layers = h.nLayers();
        int headSize = dim / h.nHeads();
        int kvDim = headSize * h.nKvHeads();
        Cursor c = new Cursor(b, source, HEADER_BYTES);
        ByteBuffer embedding = c.take((long) h.vocabSize() * dim);
        ByteBuffer[] rmsAtt = c.takeEach(layers, dim);
        ByteBuffer[] wq = c.takeEach(layers, (long) dim * dim);
        ByteBuffer[] wk = c.takeEach(layers, (long) kvDim * dim);
        ByteBuffer[] wv = c.takeEach(layers, (long) kvDim * dim);
        ByteBuffer[] wo = c.takeEach(layers, (long) dim * dim);
        ByteBuffer[] rmsFfn = c.takeEach(layers, dim);
        ByteBuffer[] w1 = c.takeEach(layers, (long) hidden * dim);
        ByteBuffer[] w2 = c.takeEach(layers, (long) dim * hidden);
        ByteBuffer[] w3 = c.takeEach(layers, (long) hidden * dim);
        ByteBuffer rmsFinal = c.take(dim);
        c.take((long) h.seqLen() * headSize); // freq_cis_real and freq_cis_imag (seq_len, head_size / 2) each
        ByteBuffer classifier = h.sharedClassifier() ? null : c.take((long) h.vocabSize() * dim);

        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("wte.weight", f.fromBuffer(embedding, Shape.of(h.vocabSize(), dim), DType.F32));
        for (int i = 0; i < layers; i++) {
            String p = "h." + i + ".";
            out.put(p + "ln_1.weight", f.fromBuffer(rmsAtt[i], Shape.of(dim), DType.F32));
            out.put(p + "attn.c_attn.weight", f.fromBuffer(concat(wq[i], wk[i], wv[i]), Shape.of(dim + 2 * kvDim, dim), DType.F32));
            out.put(p + "attn.c_proj.weight", f.fromBuffer(wo[i], Shape.of(dim, dim), DType.F32));
            out.put(p + "ln_2.weight", f.fromBuffer(rmsFfn[i], Shape.of(dim), DType.F32));
            out.put(p + "mlp.gate_proj.weight", f.fromBuffer(w1[i], Shape.of(hidden, dim), DType.F32));
            out.put(p + "mlp.up_proj.weight", f.fromBuffer(w3[i], Shape.of(hidden, dim), DType.F32));
            out.put(p + "mlp.down_proj.weight", f.fromBuffer(w2[i], Shape.of(dim, hidden), DType.F32));
        }
        out.put("ln_f.weight", f.fromBuffer(rmsFinal, Shape.of(dim), DType.F32));
        if (classifier != null) {
            out.put("lm_head.weight", f.fromBuffer(classifier, Shape.of(h.vocabSize(), dim), DType.F32));
        }
        return out;
    }

    /** Row blocks stacked: (out_a + out_b + ..., in) from matrices stored (out, in). */
    private static ByteBuffer concat(ByteBuffer... parts) {
        int n = 0;
        for (ByteBuffer p : parts) {
            n += p.remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        for (ByteBuffer p : parts) {
            all.put(p.duplicate());
        }
        return all.flip();
    }

    /** Walks the weights in file order, handing out float32 windows (each mapped on its own, so the file may exceed 2 GiB). */
    private static final class Cursor {
        private final ByteRegions b;
        private final String source;
        private long at;

        Cursor(ByteRegions b, String source, long start) {
            this.b = b;
            this.source = source;
            this.at = start;
        }

        ByteBuffer take(long floats) throws IOException {
            long bytes = 4 * floats;
            ByteBuffer s = b.window(at, bytes, "the weights at byte " + at + " of " + source);
            at += bytes;
            return s;
        }

        ByteBuffer[] takeEach(int count, long floats) throws IOException {
            ByteBuffer[] out = new ByteBuffer[count];
            for (int i = 0; i < count; i++) {
                out[i] = take(floats);
            }
            return out;
        }
    }
}
