package dev.llmforge.training.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.tokenizer.BpeTokenizer;
import dev.llmforge.tokenizer.CharTokenizer;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetPreparerTest {
    @TempDir
    Path dir;

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(DatasetPreparerTest.class.getResource("/nanogpt/" + name).toURI());
    }

    private static int[] ids(TokenDataset d) {
        int[] out = new int[(int) d.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = d.get(i);
        }
        return out;
    }

    @Test
    void splitsAndEncodesExactlyAsNanoGptPrepare() throws Exception {
        // nanoGPT's ids for the first 2,000 characters (numpy-written fixture), with the vocabulary of the whole file
        NanoGptMeta meta = NanoGptMeta.read(resource("meta.pkl"));
        CharTokenizer tokenizer = TokenData.charTokenizer(meta, resource("meta.pkl").getParent());
        String text = Files.readString(resource("head2000.txt"), StandardCharsets.UTF_8);
        int[] expected = ids(TokenDataset.open(resource("head2000.bin"), TokenWidth.UINT16));

        TokenData data = DatasetPreparer.prepare(text, tokenizer, dir, DatasetPreparer.NANOGPT_TRAIN_FRACTION, "head2000.txt");

        assertArrayEquals(Arrays.copyOfRange(expected, 0, 1800), ids(data.train())); // data[:int(2000 * 0.9)]
        assertArrayEquals(Arrays.copyOfRange(expected, 1800, 2000), ids(data.val()));
        assertEquals(meta, NanoGptMeta.read(dir.resolve("meta.pkl")), "meta.pkl nanoGPT's sample.py can read");
        DatasetMeta written = DatasetMeta.read(dir);
        assertEquals(TokenWidth.UINT16, written.width());
        assertEquals(65, written.vocabSize());
        assertEquals(1800, written.trainTokens());
        assertEquals(200, written.valTokens());
        try (var files = Files.list(dir)) {
            assertEquals(0, files.filter(p -> p.getFileName().toString().endsWith(".tmp")).count(), "no temporary files left");
        }
    }

    @Test
    void readsADirectoryPreparedByNanoGpt() throws Exception {
        // nanoGPT writes train.bin, val.bin and meta.pkl only
        Files.copy(resource("head2000.bin"), dir.resolve("train.bin"));
        Files.copy(resource("head2000.bin"), dir.resolve("val.bin"));
        Files.copy(resource("meta.pkl"), dir.resolve("meta.pkl"));
        TokenData data = TokenData.open(dir);
        assertEquals(65, data.vocabSize());
        String text = Files.readString(resource("head2000.txt"), StandardCharsets.UTF_8);
        assertEquals(text, data.tokenizer().decode(ids(data.train())));
    }

    @Test
    void nanoGptDataWithoutMetaIsGpt2() throws Exception {
        BpeTokenizer gpt2 = BpeTokenizer.gpt2();
        TokenDataset.write(dir.resolve("train.bin"), gpt2.encode("Hello world, this is the training part."), TokenWidth.UINT16);
        TokenDataset.write(dir.resolve("val.bin"), gpt2.encode("And this is validation."), TokenWidth.UINT16);
        TokenData data = TokenData.open(dir);
        assertEquals(50257, data.vocabSize());
        assertEquals("And this is validation.", data.tokenizer().decode(ids(data.val())));
    }

    @Test
    void gpt2AndLearnedBpeDataRoundTrip() throws Exception {
        String text = Files.readString(resource("head2000.txt"), StandardCharsets.UTF_8);
        TokenData gpt2 = DatasetPreparer.prepare(text, "gpt2", dir.resolve("gpt2"), 0.9, "head2000.txt");
        assertInstanceOf(BpeTokenizer.class, gpt2.tokenizer());
        int split = DatasetPreparer.splitIndex(text, 0.9);
        assertEquals(text.substring(split), gpt2.tokenizer().decode(ids(gpt2.val())));
        assertTrue(Files.notExists(dir.resolve("gpt2/meta.pkl")), "nanoGPT reads data without meta.pkl as GPT-2");

        TokenData learned = DatasetPreparer.prepare(text, "bpe:300", dir.resolve("bpe"), 0.9, "head2000.txt");
        assertEquals(300, learned.vocabSize());
        assertEquals(text.substring(0, split), learned.tokenizer().decode(ids(learned.train())));
        assertEquals(learned.vocabSize(), TokenData.open(dir.resolve("bpe")).vocabSize(), "tokenizer.json is reloaded");
    }

    @Test
    void splitCountsCodePointsAsPython() {
        String text = "\uD83D\uDE00".repeat(10); // 10 code points, 20 chars
        assertEquals(18, DatasetPreparer.splitIndex(text, 0.9)); // 9 code points
        assertThrows(IllegalArgumentException.class, () -> DatasetPreparer.splitIndex(text, 1.0));
    }

    @Test
    void refusesIncompleteOrInconsistentDirectories() throws Exception {
        String text = Files.readString(resource("head2000.txt"), StandardCharsets.UTF_8);
        DatasetPreparer.prepare(text, "char", dir, 0.9, "head2000.txt");

        Files.write(dir.resolve("val.bin"), new byte[] {1, 0, 2, 0});
        IOException truncated = assertThrows(IOException.class, () -> TokenData.open(dir));
        assertTrue(truncated.getMessage().contains("meta.json lists"), truncated.getMessage());

        Files.delete(dir.resolve("meta.json"));
        IOException interrupted = assertThrows(IOException.class, () -> TokenData.open(dir));
        assertTrue(interrupted.getMessage().contains("interrupted"), interrupted.getMessage());

        IOException missing = assertThrows(IOException.class, () -> TokenData.open(dir.resolve("nothing")));
        assertTrue(missing.getMessage().contains("llmforge prepare"), missing.getMessage());
    }
}
