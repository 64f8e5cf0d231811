package dev.llmforge.alignment.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.tokenizer.chat.ChatMessage;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptReaderTest {
    @TempDir
    Path dir;

    @Test
    void anEvalFileGivesTheQuestionAsAUserMessageAndItsAnswer() throws Exception {
        Path file = DataFiles.write(dir, "eval.jsonl", "{\"question\":\"What's the capital of Peru?\",\"answer\":\"Lima\",\"kind\":\"capital\"}",
                "{\"question\":\"How old is she?\",\"answer\":\"67\"}");
        List<RolloutPrompt> prompts = PromptReader.read(file, BadRecords.failFast());
        assertEquals(2, prompts.size());
        assertEquals(List.of(ChatMessage.user("What's the capital of Peru?")), prompts.get(0).messages());
        assertEquals(Optional.of("Lima"), prompts.get(0).answer());
        assertEquals("How old is she?", prompts.get(1).question());
        assertEquals(new RecordLocation(file.toString(), 2), prompts.get(1).location());
    }

    @Test
    void gsm8kIsReadAsFineTuningDataWithoutItsWorkedAnswer() throws Exception {
        List<RolloutPrompt> prompts = PromptReader.read(DataFiles.sample("gsm8k/train-first200.jsonl"), BadRecords.failFast());
        assertEquals(200, prompts.size());
        RolloutPrompt first = prompts.get(0);
        assertEquals(1, first.messages().size());
        assertEquals(ChatMessage.USER, first.messages().get(0).role());
        assertEquals(first.messages().get(0).content(), first.question());
        assertEquals(Optional.of("72"), first.answer()); // Natalia's clips: #### 72
    }

    @Test
    void aConversationKeepsEverythingBeforeItsLastAnswer() throws Exception {
        Path file = DataFiles.write(dir, "chat.jsonl", "{\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\"Hello!\"},"
                + "{\"role\":\"user\",\"content\":\"2+2?\"},{\"role\":\"assistant\",\"content\":\"4\"}],\"final_answer\":4}");
        RolloutPrompt p = PromptReader.read(file, BadRecords.failFast()).get(0);
        assertEquals(4, p.messages().size());
        assertEquals("2+2?", p.question());
        assertEquals(Optional.of("4"), p.answer());
        assertTrue(p.messages().get(3).role().equals(ChatMessage.USER));
    }

    @Test
    void aPromptThatEndsWithTheAssistantIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RolloutPrompt(List.of(ChatMessage.assistant("Hi")), "", Optional.empty(),
                new RecordLocation("x", 1)));
    }
}
