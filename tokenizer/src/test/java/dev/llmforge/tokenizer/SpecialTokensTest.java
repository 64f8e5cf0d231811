package dev.llmforge.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SpecialTokensTest {
    private final BpeTokenizer gpt2 = BpeTokenizer.gpt2();

    @Test
    void specialTokenTextIsPlainTextByDefault() {
        String text = "a<|endoftext|>b";
        int[] ids = gpt2.encode(text);
        assertFalse(IntStream.of(ids).anyMatch(id -> id == 50256));
        assertArrayEquals(gpt2.encode(text, SpecialTokenPolicy.PLAIN_TEXT), ids);
        assertEquals(text, gpt2.decode(ids));
    }

    @Test
    void specialTokenTextBecomesTheSpecialIdWhenAllowed() {
        int[] ids = gpt2.encode("a<|endoftext|>b", SpecialTokenPolicy.SPECIAL);
        assertArrayEquals(concat(gpt2.encode("a"), new int[] {50256}, gpt2.encode("b")), ids);
        assertEquals("a<|endoftext|>b", gpt2.decode(ids));
    }

    @Test
    void rejectPolicyNamesTheTokenAndWhereItIs() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> gpt2.encode("ab<|endoftext|>", SpecialTokenPolicy.REJECT));
        assertTrue(e.getMessage().contains("\"<|endoftext|>\" at index 2"), e.getMessage());
        assertArrayEquals(gpt2.encode("plain"), gpt2.encode("plain", SpecialTokenPolicy.REJECT));
    }

    @Test
    void atOnePositionTheLongestSpecialTokenWins() {
        CharTokenizer tokenizer = CharTokenizer.fromCorpus("ab<s>", List.of("<s>", "<s>>"));
        assertEquals(5, tokenizer.specialTokens().requireId("<s>"));
        assertEquals(6, tokenizer.specialTokens().requireId("<s>>"));
        assertArrayEquals(new int[] {6, 3, 5}, tokenizer.encode("<s>>b<s>", SpecialTokenPolicy.SPECIAL)); // b = 3
    }

    @Test
    void addedSpecialTokensTakeTheNextIds() {
        BpeTokenizer chat = gpt2.withAddedSpecialTokens(List.of("<|im_start|>", "<|im_end|>"));
        assertEquals(50257, chat.specialTokens().requireId("<|im_start|>"));
        assertEquals(50258, chat.specialTokens().requireId("<|im_end|>"));
        assertEquals(50256, chat.specialTokens().requireId(SpecialTokens.END_OF_TEXT));
        assertEquals(50259, chat.vocabSize());
        assertEquals("<|im_end|>", chat.decode(new int[] {50258}));
        assertThrows(IllegalArgumentException.class, () -> gpt2.withAddedSpecialTokens(List.of("<|endoftext|>")));
    }

    @Test
    void requireIdListsTheSpecialTokensThereAre() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> gpt2.specialTokens().requireId("<|im_start|>"));
        assertTrue(e.getMessage().contains("[<|endoftext|>]"), e.getMessage());
    }

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(IntStream::of).toArray();
    }
}
