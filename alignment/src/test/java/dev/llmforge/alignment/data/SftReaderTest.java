package dev.llmforge.alignment.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.llmforge.tokenizer.chat.ChatMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SftReaderTest {
    @TempDir
    Path folder;

    @Test
    void readsConversations() throws IOException {
        Path file = DataFiles.write(folder, "chat.jsonl",
                "{\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Hi\"},"
                        + "{\"role\":\"assistant\",\"content\":\"Hello!\"}]}",
                "",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"2+2?\"},{\"role\":\"assistant\",\"content\":\"4\"}],"
                        + "\"final_answer\":4}");
        List<SftRecord> records = SftReader.read(List.of(file), BadRecords.failFast());
        assertEquals(List.of(
                new SftRecord(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi"),
                        ChatMessage.assistant("Hello!")), Optional.empty(), new RecordLocation(file.toString(), 1)),
                new SftRecord(List.of(ChatMessage.user("2+2?"), ChatMessage.assistant("4")), Optional.of("4"),
                        new RecordLocation(file.toString(), 3))), records);
    }

    @Test
    void readsPromptCompletionAsTextOrMessages() throws IOException {
        Path file = DataFiles.write(folder, "pc.jsonl",
                "{\"prompt\":\"The sky is\",\"completion\":\"blue.\"}",
                "{\"prompt\":[{\"role\":\"system\",\"content\":\"Answer in French.\"},{\"role\":\"user\","
                        + "\"content\":\"Colour of the sky?\"}],\"completion\":[{\"role\":\"assistant\","
                        + "\"content\":\"Bleu.\"}]}");
        List<SftRecord> records = SftReader.read(List.of(file), BadRecords.failFast());
        assertEquals(List.of(ChatMessage.user("The sky is"), ChatMessage.assistant("blue.")),
                records.get(0).messages());
        assertEquals(List.of(ChatMessage.system("Answer in French."), ChatMessage.user("Colour of the sky?"),
                ChatMessage.assistant("Bleu.")), records.get(1).messages());
    }

    @Test
    void readsAlpacaInstructionsWithTheInputAfterABlankLine() throws IOException {
        Path file = DataFiles.write(folder, "alpaca.json",
                "{\"instruction\":\"Translate to French.\",\"input\":\"cat\",\"output\":\"chat\"}",
                "{\"instruction\":\"Name a colour.\",\"input\":\"\",\"output\":\"Red.\"}");
        List<SftRecord> records = SftReader.read(List.of(file), BadRecords.failFast());
        assertEquals(List.of(ChatMessage.user("Translate to French.\n\ncat"), ChatMessage.assistant("chat")),
                records.get(0).messages());
        assertEquals(List.of(ChatMessage.user("Name a colour."), ChatMessage.assistant("Red.")),
                records.get(1).messages());
    }

    @Test
    void readsQaTextWithMultiLineAnswersAndSeveralExchanges() throws IOException {
        Path file = DataFiles.write(folder, "seed.txt",
                "Q: What's the capital of China?",
                "A: China's capital is Beijing.",
                "",
                "",
                "Q: When I was 6 my sister was half my age. Now I'm 70 how old is my sister?",
                "A: When I was 6, my sister was 6 / 2 = 3.   ",
                "  So she is 6 - 3 = 3 years younger.",
                "The answer is 67.",
                "",
                "Q: Hi",
                "A: Hello.",
                "Q: Bye",
                "A:Goodbye.");
        List<SftRecord> records = SftReader.read(List.of(file), BadRecords.failFast());
        assertEquals(3, records.size());
        assertEquals(List.of(ChatMessage.user("What's the capital of China?"),
                ChatMessage.assistant("China's capital is Beijing.")), records.get(0).messages());
        assertEquals(List.of(
                ChatMessage.user("When I was 6 my sister was half my age. Now I'm 70 how old is my sister?"),
                ChatMessage.assistant("When I was 6, my sister was 6 / 2 = 3.   \n  So she is 6 - 3 = 3 years "
                        + "younger.\nThe answer is 67.")), records.get(1).messages());
        assertEquals(5, records.get(1).location().line());
        assertEquals(List.of(ChatMessage.user("Hi"), ChatMessage.assistant("Hello."), ChatMessage.user("Bye"),
                ChatMessage.assistant("Goodbye.")), records.get(2).messages());
        assertEquals(10, records.get(2).location().line());
    }

    @Test
    void detectsEachFormatAndReadsSeveralFilesInOrder() throws IOException {
        Path chat = DataFiles.write(folder, "a.jsonl",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"assistant\",\"content\":\"b\"}]}");
        Path qa = DataFiles.write(folder, "b.data", "Q: c", "A: d");
        Path gsm = DataFiles.writeGzip(folder, "c.jsonl.gz", "{\"question\":\"e\",\"answer\":\"f\\n#### 1\"}");
        assertEquals(SftFormat.MESSAGES, SftFormat.detect(chat));
        assertEquals(SftFormat.QA, SftFormat.detect(qa));
        assertEquals(SftFormat.GSM8K, SftFormat.detect(gsm));
        assertEquals(SftFormat.QA, SftFormat.detect(DataFiles.write(folder, "d.txt", "{\"messages\": []}")));
        assertEquals(SftFormat.PROMPT_COMPLETION, SftFormat.detect(DataFiles.write(folder, "e.jsonl",
                "{\"prompt\":\"a\",\"completion\":\"b\"}")));
        assertEquals(SftFormat.ALPACA, SftFormat.detect(DataFiles.write(folder, "f.jsonl",
                "{\"instruction\":\"a\",\"output\":\"b\"}")));
        assertEquals(SftFormat.SELF_INSTRUCT, SftFormat.detect(DataFiles.write(folder, "g.jsonl",
                "{\"instruction\":\"a\",\"instances\":[]}")));
        assertEquals(SftFormat.HH_CHOSEN, SftFormat.detect(DataFiles.write(folder, "h.jsonl",
                "{\"chosen\":\"a\",\"rejected\":\"b\"}")));

        List<SftRecord> records = SftReader.read(List.of(chat, qa, gsm), BadRecords.failFast());
        assertEquals(List.of("b", "d", "f\nThe answer is 1."),
                records.stream().map(r -> r.messages().get(1).content()).toList());
        assertEquals(List.of(chat.toString(), qa.toString(), gsm.toString()),
                records.stream().map(r -> r.location().file()).toList());
    }

    @Test
    void aNamedFormatOverridesDetection() throws IOException {
        Path file = DataFiles.write(folder, "notes.txt", "{\"prompt\":\"a\",\"completion\":\"b\"}");
        BadRecordException asQa = assertThrows(BadRecordException.class,
                () -> SftReader.read(List.of(file), BadRecords.failFast()));
        assertEquals(file + ":1: expected a record to start with \"Q:\", found \"{\\\"prompt\\\":\\\"a\\\","
                + "\\\"completion\\\":\\\"b\\\"}\"", asQa.getMessage());
        List<SftRecord> records = SftReader.read(List.of(file), SftFormat.PROMPT_COMPLETION, BadRecords.failFast());
        assertEquals(List.of(ChatMessage.user("a"), ChatMessage.assistant("b")), records.get(0).messages());
        assertEquals(SftFormat.PROMPT_COMPLETION, SftFormat.named("prompt-completion"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SftFormat.named("csv"));
        assertEquals("unknown SFT data format \"csv\"; expected one of messages, prompt-completion, alpaca, "
                + "self-instruct, gsm8k, hh, qa", e.getMessage());
    }

    @Test
    void anUnknownRecordShapeNamesTheFieldsFound() {
        Path file = DataFiles.write(folder, "x.jsonl", "", "{\"text\":\"a document\"}");
        BadRecordException e = assertThrows(BadRecordException.class, () -> SftFormat.detect(file));
        assertEquals(file + ":2: cannot tell the SFT format from the fields [text]; expected \"messages\" "
                + "(messages), \"prompt\" and \"completion\" (prompt-completion), \"instruction\" and \"output\" "
                + "(alpaca), \"instruction\" and \"instances\" (self-instruct), \"question\" and \"answer\" (gsm8k) "
                + "or \"chosen\" (hh), or name the format", e.getMessage());
        Path empty = DataFiles.write(folder, "empty.jsonl", "");
        assertEquals(empty + ":1: expected at least one record, found an empty file",
                assertThrows(BadRecordException.class, () -> SftFormat.detect(empty)).getMessage());
    }

    @Test
    void bytesThatAreNotUtf8NameTheLine() throws IOException {
        Path file = folder.resolve("latin1.jsonl");
        String good = "{\"prompt\":\"a\",\"completion\":\"b\"}\n";
        Files.write(file, (good + "{\"prompt\":\"caf").getBytes(StandardCharsets.UTF_8));
        Files.write(file, new byte[] {(byte) 0xe9, '"', '}', '\n'}, StandardOpenOption.APPEND); // Latin-1 é
        BadRecordException e = assertThrows(BadRecordException.class,
                () -> SftReader.read(List.of(file), BadRecords.skip()));
        assertEquals(file + ":2: expected UTF-8 text, found bytes that are not UTF-8 (is the file in another "
                + "encoding?)", e.getMessage(), "the line is named, and reading stops even when skipping");
    }
}
