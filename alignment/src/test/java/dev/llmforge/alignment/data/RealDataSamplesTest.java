package dev.llmforge.alignment.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmforge.tokenizer.BpeTokenizer;
import dev.llmforge.tokenizer.chat.ChatMessage;
import dev.llmforge.tokenizer.chat.ChatTemplate;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** The importers on the copied samples of the real data (see src/test/resources/data/DATA.md). */
class RealDataSamplesTest {
    private static final Path GSM8K = DataFiles.sample("gsm8k/train-first200.jsonl");
    private static final Path SEED_TASKS = DataFiles.sample("self-instruct/seed_tasks.jsonl");
    private static final Path USER_TASKS = DataFiles.sample("self-instruct/user_oriented_instructions.jsonl");
    private static final Path HH = DataFiles.sample("hh-rlhf/harmless-base-test-first200.jsonl.gz");

    @Test
    void gsm8kKeepsTheFinalAnswerAndDropsTheCalculatorNotes() throws IOException {
        assertEquals(SftFormat.GSM8K, SftFormat.detect(GSM8K));
        List<SftRecord> records = SftReader.read(List.of(GSM8K), BadRecords.failFast());
        assertEquals(200, records.size());
        SftRecord second = records.get(1);
        assertEquals(new SftRecord(List.of(
                ChatMessage.user("Weng earns $12 an hour for babysitting. Yesterday, she just did 50 minutes of "
                        + "babysitting. How much did she earn?"),
                ChatMessage.assistant("Weng earns 12/60 = $0.2 per minute.\nWorking 50 minutes, she earned 0.2 x 50 "
                        + "= $10.\nThe answer is 10.")), Optional.of("10"), new RecordLocation(GSM8K.toString(), 2)),
                second);
        List<JsonNode> raw = rawLines(GSM8K);
        for (int i = 0; i < records.size(); i++) {
            String answer = raw.get(i).get("answer").asText();
            String expectedFinal = answer.substring(answer.lastIndexOf("#### ") + 5);
            String reply = records.get(i).messages().get(1).content();
            assertEquals(Optional.of(expectedFinal), records.get(i).finalAnswer(), "line " + (i + 1));
            assertTrue(reply.endsWith("\nThe answer is " + expectedFinal + "."), reply);
            assertFalse(reply.contains("<<") || reply.contains(">>") || reply.contains("####"), reply);
            assertEquals(raw.get(i).get("question").asText(), records.get(i).messages().get(0).content());
        }
    }

    @Test
    void gsm8kFinalAnswersLoseTheirThousandsSeparators(@org.junit.jupiter.api.io.TempDir Path folder)
            throws IOException {
        Path file = DataFiles.write(folder, "big.jsonl",
                "{\"question\":\"q\",\"answer\":\"3 x 360 = <<3*360=1080>>1080\\n#### 1,080\"}",
                "{\"question\":\"q\",\"answer\":\"#### -109,200,000\"}");
        List<SftRecord> records = SftReader.read(List.of(file), SftFormat.GSM8K, BadRecords.failFast());
        assertEquals(Optional.of("1080"), records.get(0).finalAnswer());
        assertEquals("3 x 360 = 1080\nThe answer is 1080.", records.get(0).messages().get(1).content());
        assertEquals(Optional.of("-109200000"), records.get(1).finalAnswer());
        assertEquals("The answer is -109200000.", records.get(1).messages().get(1).content());
    }

    @Test
    void selfInstructSeedTasksExpandTheirInstances() throws IOException {
        assertEquals(SftFormat.SELF_INSTRUCT, SftFormat.detect(SEED_TASKS));
        List<SftRecord> records = SftReader.read(List.of(SEED_TASKS), BadRecords.failFast());
        assertEquals(175, records.size());
        assertEquals(List.of(
                ChatMessage.user("What is the relation between the given pairs?\n\nNight : Day :: Right : Left"),
                ChatMessage.assistant("The relation between the given pairs is that they are opposites.")),
                records.get(1).messages());
        assertEquals(26, records.stream().filter(r -> r.finalAnswer().isPresent()).count(),
                "the 26 classification tasks have their label as final answer");
        SftRecord firstLabel = records.stream().filter(r -> r.finalAnswer().isPresent()).findFirst().orElseThrow();
        assertEquals(149, firstLabel.location().line());
        assertEquals(Optional.of("Adjective, JJ."), firstLabel.finalAnswer());
    }

    @Test
    void selfInstructUserOrientedTasks() throws IOException {
        List<SftRecord> records = SftReader.read(List.of(USER_TASKS), BadRecords.failFast());
        assertEquals(252, records.size());
        assertEquals(List.of(ChatMessage.user("Explain the meaning of the given phrase in simple terms. Use an "
                        + "example if possible. It would be helpful if you could give an example.\n\n"
                        + "\"With a little give in them\""),
                ChatMessage.assistant("It means with some space to move. It's a metaphor. \"Give\" is a noun here. "
                        + "It's meaning is similar to\"flexibility\". If something has no \"give\" it's tight and "
                        + "rigid. It's the opposite of flexible and loose. For example, you might use it to talk about "
                        + "clothes: \"These jeans are so tight. There's no give in them. I can't move.\"")),
                records.get(251).messages());
        assertTrue(records.stream().allMatch(r -> r.finalAnswer().isEmpty()));
    }

    @Test
    void hhChosenDialoguesBecomeConversationsAndTheMalformedOneIsReported() throws IOException {
        assertEquals(SftFormat.HH_CHOSEN, SftFormat.detect(HH));
        BadRecords bad = BadRecords.skip();
        List<SftRecord> records = SftReader.read(List.of(HH), bad);
        assertEquals(199, records.size());
        assertEquals(List.of(new BadRecord(new RecordLocation(HH.toString(), 87),
                "expected every turn to have text, found an empty Assistant turn (turn 4)")), bad.first());
        assertEquals(List.of(ChatMessage.USER, ChatMessage.ASSISTANT, ChatMessage.USER, ChatMessage.ASSISTANT,
                ChatMessage.USER, ChatMessage.ASSISTANT), records.get(0).messages().stream()
                .map(ChatMessage::role).toList());
        assertEquals("what are some pranks with a pen i can do?", records.get(0).messages().get(0).content());

        // the Human/Assistant template writes each dialogue back as it was, plus <|endoftext|> after each answer
        List<JsonNode> raw = rawLines(HH);
        BpeTokenizer gpt2 = BpeTokenizer.gpt2();
        for (SftRecord record : records) {
            String rendered = ChatTemplate.humanAssistant().render(record.messages(), gpt2).text();
            assertEquals(raw.get(record.location().line() - 1).get("chosen").asText(),
                    rendered.replace("<|endoftext|>", ""), record.location().toString());
        }
    }

    @Test
    void hhPairsSplitAtTheLastSharedAssistantTurn() throws IOException {
        assertEquals(PreferenceFormat.PAIRS, PreferenceFormat.detect(HH));
        BadRecords bad = BadRecords.skip();
        List<PreferenceGroup> groups = PreferenceReader.read(List.of(HH), bad);
        assertEquals(199, groups.size());
        assertEquals(1, bad.count());
        assertEquals(new RecordLocation(HH.toString(), 87), bad.first().get(0).location());
        PreferenceGroup first = groups.get(0);
        assertEquals(5, first.prompt().size());
        assertEquals("okay some of these do not have anything to do with pens", first.prompt().get(4).content());
        PreferencePair pair = first.pairs().get(0);
        assertEquals(List.of(ChatMessage.assistant("No, sorry!  All of these involve a pen, the point is that you "
                + "can get funny results by doing pranks with pens.")), pair.chosen());
        assertEquals(List.of(ChatMessage.assistant("There are lots of funny things you can do with pens, here’s one "
                + "example: use the pen as a zipper.  It’s where you write your finger in ink, and then you stick it "
                + "on someone’s hand and unzip their zipper. It’s really funny.")), pair.rejected());

        // prompt + each response, written back by the template, is the original dialogue
        List<JsonNode> raw = rawLines(HH);
        BpeTokenizer gpt2 = BpeTokenizer.gpt2();
        for (PreferenceGroup group : groups) {
            JsonNode line = raw.get(group.location().line() - 1);
            for (String side : List.of("chosen", "rejected")) {
                List<ChatMessage> conversation = new ArrayList<>(group.prompt());
                conversation.addAll(side.equals("chosen") ? group.pairs().get(0).chosen()
                        : group.pairs().get(0).rejected());
                assertEquals(line.get(side).asText(), ChatTemplate.humanAssistant().render(conversation, gpt2)
                        .text().replace("<|endoftext|>", ""), group.location() + " " + side);
            }
        }
    }

    private static List<JsonNode> rawLines(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        boolean gzip = file.toString().endsWith(".gz");
        try (BufferedReader in = new BufferedReader(new InputStreamReader(gzip
                ? new GZIPInputStream(Files.newInputStream(file)) : Files.newInputStream(file),
                StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(json.readTree(line));
            }
        }
        return lines;
    }
}
