package dev.llmforge.alignment.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.generate.GenerationConfig;
import dev.llmforge.tokenizer.CharTokenizer;
import dev.llmforge.tokenizer.SpecialTokens;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.tokenizer.chat.ChatTemplate;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each prompt style's text, written out by hand, in the document layout and in the Q&A template. */
class EvalPromptTest {
    static final EvalRecord PERU = new EvalRecord("What's the capital of Peru?", "Lima", "capital", null);
    static final EvalRecord SISTER = new EvalRecord("When I was 6 my sister was half my age. Now I'm 70 how old is my sister?", "67", "age", null);
    static final List<EvalRecord> POOL = List.of(
            new EvalRecord("What's the capital of Chile?", "Santiago", "capital", "Chile's capital is Santiago."),
            new EvalRecord("When I was 4 my friend was twice my age. Now I'm 30 how old is my friend?", "34", "age",
                    "When I was 4, my friend was 4 * 2 = 8. So my friend is 8 - 4 = 4 years older. Now I'm 30, so my friend is 30 + 4 = 34. The answer is 34."),
            new EvalRecord("Which continent is Peru in?", "South America", "continent", "Peru is in South America."));
    static final String ALPHABET = "QA: ?.,'*+-=0123456789\nabcdefghijklmnopqrstuvwxyzCDFHILNPRSTW";
    static final Tokenizer DOCUMENT_TOKENIZER = CharTokenizer.fromCorpus(ALPHABET);
    static final Tokenizer QA_TOKENIZER = CharTokenizer.fromCorpus(ALPHABET, List.of(SpecialTokens.END_OF_TEXT));

    private static String document(PromptStyle style, EvalRecord record) {
        EvalPrompt prompt = new EvalPrompt(style, null, new FewShotExemplars(POOL, 2));
        EvalPrompt.Rendered rendered = prompt.render(record, DOCUMENT_TOKENIZER);
        assertArrayEquals(DOCUMENT_TOKENIZER.encode(rendered.text()), rendered.ids());
        return rendered.text();
    }

    @Test
    void documentLayoutOfEveryStyle() {
        assertEquals("What's the capital of Peru?", document(PromptStyle.COMPLETION, PERU));
        assertEquals("Q: What's the capital of Peru?\nA:", document(PromptStyle.ZERO_SHOT, PERU));
        assertEquals("Q: Answer the question. For a problem, end with: The answer is N.\nWhat's the capital of Peru?\nA:",
                document(PromptStyle.INSTRUCTION, PERU));
        assertEquals("Q: What's the capital of Chile?\nA: Chile's capital is Santiago.\n\n"
                + "Q: Which continent is Peru in?\nA: Peru is in South America.\n\n"
                + "Q: What's the capital of Peru?\nA:", document(PromptStyle.FEW_SHOT, PERU));
    }

    @Test
    void numberQuestionsGetNumberExemplarsAnsweredFinallyOrWorked() {
        EvalPrompt fewShot = new EvalPrompt(PromptStyle.FEW_SHOT, null, new FewShotExemplars(POOL, 1));
        assertEquals("Q: When I was 4 my friend was twice my age. Now I'm 30 how old is my friend?\nA: The answer is 34.\n\n"
                + "Q: When I was 6 my sister was half my age. Now I'm 70 how old is my sister?\nA:", fewShot.render(SISTER, DOCUMENT_TOKENIZER).text());
        EvalPrompt cot = new EvalPrompt(PromptStyle.COT, null, new FewShotExemplars(POOL, 1));
        assertEquals("Q: When I was 4 my friend was twice my age. Now I'm 30 how old is my friend?\nA: When I was 4, my friend was 4 * 2 = 8. "
                + "So my friend is 8 - 4 = 4 years older. Now I'm 30, so my friend is 30 + 4 = 34. The answer is 34.\n\n"
                + "Q: When I was 6 my sister was half my age. Now I'm 70 how old is my sister?\nA:", cot.render(SISTER, DOCUMENT_TOKENIZER).text());
    }

    @Test
    void qaTemplateClosesExemplarAnswersWithEndOfText() {
        EvalPrompt prompt = new EvalPrompt(PromptStyle.FEW_SHOT, ChatTemplate.qa(), new FewShotExemplars(POOL, 1));
        assertEquals("Q: What's the capital of Chile?\nA: Chile's capital is Santiago.<|endoftext|>\n\nQ: What's the capital of Peru?\nA:",
                prompt.render(PERU, QA_TOKENIZER).text());
        GenerationConfig config = prompt.stopping(GenerationConfig.builder(), QA_TOKENIZER).build();
        assertEquals(Set.of(QA_TOKENIZER.specialTokens().requireId(SpecialTokens.END_OF_TEXT)), config.stopTokenIds());
        assertEquals(List.of(), config.stopStrings());
    }

    @Test
    void documentLayoutStopsAtABlankLine() {
        GenerationConfig config = new EvalPrompt(PromptStyle.ZERO_SHOT, null, null).stopping(GenerationConfig.builder(), DOCUMENT_TOKENIZER).build();
        assertEquals(List.of("\n\n"), config.stopStrings());
        assertEquals(Set.of(), config.stopTokenIds());
    }

    @Test
    void aCharacterTheTokenizerLacksIsAnError() {
        EvalPrompt prompt = new EvalPrompt(PromptStyle.ZERO_SHOT, null, null);
        Exception e = assertThrows(IllegalArgumentException.class,
                () -> prompt.render(new EvalRecord("What's the capital of Réunion?", "Saint-Denis"), DOCUMENT_TOKENIZER));
        assertTrue(e.getMessage().contains("'é'"), e.getMessage());
    }

    @Test
    void fewShotStylesNeedExemplars() {
        assertThrows(IllegalArgumentException.class, () -> new EvalPrompt(PromptStyle.COT, null, null));
        assertEquals("cot (2 exemplars) in the document layout", new EvalPrompt(PromptStyle.COT, null, new FewShotExemplars(POOL, 2)).describe());
        Exception e = assertThrows(IllegalArgumentException.class, () -> PromptStyle.named("three-shot"));
        assertEquals("unknown prompt style \"three-shot\"; expected one of completion, zero-shot, instruction, few-shot, cot", e.getMessage());
    }
}
