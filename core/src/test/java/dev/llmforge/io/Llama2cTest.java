package dev.llmforge.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.model.TinyModels;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class Llama2cTest {
    private final TensorFactory t = Tensor.on(TinyModels.reference());

    @Test
    void loadsRunCsLayoutIntoTheLlamaModel() throws Exception {
        for (boolean shared : new boolean[] {true, false}) {
            GptConfig cfg = TinyModels.llama().toBuilder().tieWeights(shared).build();
            try (Gpt original = new Gpt(cfg, TinyModels.reference(), 31); TensorScope ignored = TensorScope.open()) {
                byte[] file = export(original);
                try (Gpt loaded = Llama2c.load(ByteBuffer.wrap(file), "mem.bin", t)) {
                    assertEquals(cfg, loaded.config());
                    Tensor x = TinyModels.ids(1, 6, 1, 5, 9, 2, 6, 5);
                    assertArrayEquals(original.logits(x).toFloatArray(), loaded.logits(x).toFloatArray(), 0f);
                }
                CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                        () -> Llama2c.load(ByteBuffer.wrap(Arrays.copyOf(file, file.length - 4)), "cut.bin", t));
                assertTrue(e.getMessage().contains("the file has " + (file.length - 4)), e.getMessage());
            }
        }
    }

    @Test
    void rejectsVersionedExportsAndNonsenseHeaders() {
        ByteBuffer v1 = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putInt(0x616b3432).putInt(1);
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> Llama2c.load(v1.rewind(), "v1.bin", t));
        assertTrue(e.getMessage().contains("legacy format"), e.getMessage());
        ByteBuffer zero = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putInt(64).putInt(0);
        e = assertThrows(CheckpointFormatException.class, () -> Llama2c.load(zero.rewind(), "zero.bin", t));
        assertTrue(e.getMessage().contains("header field 1 is 0"), e.getMessage());
        ByteBuffer headerOnly = header(64, 172, 5, 8, 4, 512, 512);
        e = assertThrows(CheckpointFormatException.class, () -> Llama2c.load(headerOnly, "short.bin", t));
        assertTrue(e.getMessage().contains("has 1056540 bytes, the file has 28"), e.getMessage());
        ByteBuffer huge = header(1 << 30, 1 << 30, 1 << 30, 4, 4, 1 << 30, 1 << 30);
        e = assertThrows(CheckpointFormatException.class, () -> Llama2c.load(huge, "huge.bin", t));
        assertTrue(e.getMessage().contains("more weights than any file can hold"), e.getMessage());
    }

    @Test
    void tokenizerEncodesAndDecodesLikeRunC() throws Exception {
        Llama2cTokenizer tok = Llama2cTokenizer.read(ByteBuffer.wrap(vocabFile()), 265, "tok.bin");
        assertArrayEquals(new int[] {1, 263, 264}, tok.encode("abc", true, false), "' ' 'a' 'b' 'c' -> ' ' 'ab' 'c' -> ' ab' 'c'");
        assertArrayEquals(new int[] {263, 264, 2}, tok.encode("abc", false, true), "no BOS, EOS appended");
        assertEquals("abc", tok.decode(new int[] {1, 263, 264}), "the space after BOS is dropped");
        assertEquals(" abc", tok.decode(new int[] {263, 264}));
        int[] accent = tok.encode("é", false, false);
        assertArrayEquals(new int[] {259, 0xc3 + 3, 0xa9 + 3}, accent, "byte fallback");
        assertEquals(" é", tok.decode(accent));
        assertEquals("", tok.decode(new int[] {1, 2}), "BOS and EOS print nothing");
        assertThrows(CheckpointFormatException.class, () -> Llama2cTokenizer.read(ByteBuffer.wrap(vocabFile()), 300, "tok.bin"));
        assertThrows(CheckpointFormatException.class, () -> Llama2cTokenizer.read(ByteBuffer.wrap(vocabFile()), 200, "tok.bin"));
    }

    /** A vocabulary: <unk>, BOS, EOS, 256 byte tokens, then ' ', 'a', 'b', 'ab', ' ab', 'c'. */
    static byte[] vocabFile() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeInt(out, 8);
        entry(out, 0, "<unk>");
        entry(out, 0, "\n<s>\n");
        entry(out, 0, "\n</s>\n");
        for (int b = 0; b < 256; b++) {
            entry(out, 0, String.format("<0x%02X>", b));
        }
        entry(out, -1, " ");
        entry(out, -1, "a");
        entry(out, -1, "b");
        entry(out, 1, "ab");
        entry(out, 2, " ab");
        entry(out, -1, "c");
        return out.toByteArray();
    }

    private static void entry(ByteArrayOutputStream out, float score, String piece) {
        byte[] p = piece.getBytes(StandardCharsets.UTF_8);
        writeInt(out, Float.floatToIntBits(score));
        writeInt(out, p.length);
        out.writeBytes(p);
    }

    private static void writeInt(ByteArrayOutputStream out, int v) {
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    private static ByteBuffer header(int... v) {
        ByteBuffer b = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) {
            b.putInt(x);
        }
        return b.rewind();
    }

    /** Writes a model in llama2.c's legacy layout, the way export.py does. */
    static byte[] export(Gpt m) {
        GptConfig c = m.config();
        int dim = c.nEmbd();
        int kvDim = c.headDim() * c.nKvHead();
        int layers = c.nLayer();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int v : new int[] {dim, c.ffnHidden(), layers, c.nHead(), c.nKvHead(), c.tieWeights() ? c.vocabSize() : -c.vocabSize(),
            c.blockSize()}) {
            writeInt(out, v);
        }
        floats(out, m.parameter("wte.weight").toFloatArray());
        eachLayer(out, m, "ln_1.weight", 0, 0);
        eachLayer(out, m, "attn.c_attn.weight", 0, dim * dim); // wq
        eachLayer(out, m, "attn.c_attn.weight", dim * dim, dim * dim + kvDim * dim); // wk
        eachLayer(out, m, "attn.c_attn.weight", dim * dim + kvDim * dim, dim * dim + 2 * kvDim * dim); // wv
        eachLayer(out, m, "attn.c_proj.weight", 0, 0);
        eachLayer(out, m, "ln_2.weight", 0, 0);
        eachLayer(out, m, "mlp.gate_proj.weight", 0, 0); // w1
        eachLayer(out, m, "mlp.down_proj.weight", 0, 0); // w2
        eachLayer(out, m, "mlp.up_proj.weight", 0, 0); // w3
        floats(out, m.parameter("ln_f.weight").toFloatArray());
        floats(out, new float[c.blockSize() * c.headDim()]); // freq_cis_real + freq_cis_imag
        if (!c.tieWeights()) {
            floats(out, m.parameter("lm_head.weight").toFloatArray());
        }
        return out.toByteArray();
    }

    private static void eachLayer(ByteArrayOutputStream out, Gpt m, String name, int from, int to) {
        for (int i = 0; i < m.config().nLayer(); i++) {
            float[] v = m.parameter("h." + i + "." + name).toFloatArray();
            floats(out, to == 0 ? v : Arrays.copyOfRange(v, from, to));
        }
    }

    private static void floats(ByteArrayOutputStream out, float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        out.writeBytes(b.array());
    }
}
