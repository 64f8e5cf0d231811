package dev.llmforge.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * llama2.c's SentencePiece vocabulary (stories260K's tok512.bin) as a {@link Tokenizer}. Expected ids are worked out
 * from the file's pieces and scores, not by this class: {@code " he"} by hand below, the others with
 * {@code src/test/python/llama2c_encode.py}, a transcription of run.c's {@code encode} (which also gives run.c's own {@code [1, 403, 407, 261, 378]} for
 * "Once upon a time", the prompt encoding recorded in the stories260K reference run).
 */
class SentencePieceTokenizerTest {
    @TempDir
    Path dir;

    static SentencePieceTokenizer tok512() throws Exception {
        return SentencePieceTokenizer.fromLlama2c(TestData.path("stories260K/tok512.bin"), 512);
    }

    @Test
    void encodesAsRunCMergingTheHighestScoringPairFirst() throws Exception {
        SentencePieceTokenizer t = tok512();
        // " he": tokens ' ' (id 410), 'h' (415), 'e' (411); the pairs are " h" (270, score -11) and "he" (260, score -1):
        // "he" scores higher and merges first, then " " + "he" = " he" (281, score -22). Left to right would give " h" + "e".
        assertArrayEquals(new int[] {281}, t.encode(" he"));
        // "\n" has no piece: byte fallback <0x0A> = id 10 + 3
        assertArrayEquals(new int[] {473, 467, 270, 417, 450, 13, 447, 467, 348, 414}, t.encode("Q: hi?\nA: yo"));
        // '日' has no piece: its three UTF-8 bytes E6 97 A5 -> ids 233, 154, 168
        assertArrayEquals(new int[] {412, 233, 154, 168, 430}, t.encode("a日b"));
        // as given, no dummy prefix: "Once" is O-n-ce; run.c's prompt encoding adds BOS and the space (" Once" is one piece)
        assertArrayEquals(new int[] {441, 416, 331, 407, 261, 378}, t.encode("Once upon a time"));
        assertArrayEquals(new int[] {1, 403, 407, 261, 378}, t.encodeLikeRunC("Once upon a time"));
    }

    @Test
    void decodesWhatItEncodesAndStreamsBytesIntoCharacters() throws Exception {
        SentencePieceTokenizer t = tok512();
        for (String text : List.of("Q: hi?\nA: yo", "a日b", "Once upon a time, Lily said \"ok\".", "", "  two  spaces\t")) {
            assertEquals(text, t.decode(t.encode(text)), text);
        }
        StreamingDecoder live = t.newDecoder();
        StringBuilder out = new StringBuilder();
        for (int id : t.encode("a日b")) {
            out.append(live.push(id));
            if (id == 233) {
                assertEquals("a", out.toString(), "the first byte of 日 waits for the rest");
            }
        }
        assertEquals("a日b", out.append(live.finish()).toString());
    }

    @Test
    void addedSpecialTokensTakeTheNextIdsAndSurviveSavingAndLoading() throws Exception {
        SentencePieceTokenizer t = tok512().withAddedSpecialTokens(List.of(SpecialTokens.END_OF_TEXT));
        assertEquals(513, t.vocabSize());
        assertEquals(512, t.specialTokens().requireId(SpecialTokens.END_OF_TEXT));
        assertEquals(2, t.specialTokens().requireId("</s>"));
        String doc = "Q: hi?\nA: yo" + SpecialTokens.END_OF_TEXT;
        int[] ids = t.encode(doc, SpecialTokenPolicy.SPECIAL);
        assertEquals(512, ids[ids.length - 1]);
        assertEquals(doc, t.decode(ids));
        assertTrue(t.encode(doc).length > ids.length, "as plain text the token's characters are encoded");

        Path file = dir.resolve("tokenizer.json");
        TokenizerFiles.save(t, file);
        Tokenizer back = TokenizerFiles.load(file);
        assertTrue(back instanceof SentencePieceTokenizer, back.getClass().getName());
        assertEquals(513, back.vocabSize());
        assertArrayEquals(ids, back.encode(doc, SpecialTokenPolicy.SPECIAL));
        String text = "Once upon a time, there was a big dog named Max. 日";
        assertArrayEquals(t.encode(text), back.encode(text), "every score read back exactly");
        assertArrayEquals(t.encodeLikeRunC(text), ((SentencePieceTokenizer) back).encodeLikeRunC(text));
        assertEquals("llama2.c SentencePiece tokenizer, 513 tokens", TokenizerFiles.describe(back));
    }

    @Test
    void aBadFileIsRefusedWithWhereAndWhat() throws Exception {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "{\"type\": \"llama2c\", \"pieces\": [[\"<unk>\", 0.0], [\"<s>\"]]}");
        TokenizerFormatException e = org.junit.jupiter.api.Assertions.assertThrows(TokenizerFormatException.class, () -> TokenizerFiles.load(file));
        assertTrue(e.getMessage().contains("pieces[1]: expected [\"piece\", score]"), e.getMessage());
    }
}
