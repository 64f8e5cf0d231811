package dev.llmforge.alignment.data;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every format's bad records: the error names the file, the line and what is wrong; or they are skipped. */
class BadSftRecordsTest {
    private static final String GOOD_CHAT =
            "{\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"assistant\",\"content\":\"b\"}]}";

    @TempDir
    Path folder;

    static Stream<Arguments> badJsonRecords() {
        return Stream.of(
                Arguments.of(SftFormat.MESSAGES, "[1, 2]", "expected one JSON object on the line, found a list of 2 "
                        + "(a file holding one JSON array is not JSON Lines: write one record a line)"),
                Arguments.of(SftFormat.MESSAGES, "{\"messages\":[]}", "expected field \"messages\" to be a non-empty "
                        + "list of {\"role\", \"content\"} messages, found a list of 0"),
                Arguments.of(SftFormat.MESSAGES, "{\"messages\":[{\"role\":\"bot\",\"content\":\"a\"}]}",
                        "expected the role of message 0 of field \"messages\" to be \"system\", \"user\" or "
                                + "\"assistant\", found the string \"bot\""),
                Arguments.of(SftFormat.MESSAGES, "{\"messages\":[{\"role\":\"user\"}]}", "expected the content of "
                        + "message 0 of field \"messages\" to be a string, found no such field"),
                Arguments.of(SftFormat.MESSAGES, "{\"messages\":[{\"role\":\"user\",\"content\":\"a\"},"
                        + "{\"role\":\"assistant\",\"content\":\"b\",\"weight\":0}]}", "message 1 of field "
                        + "\"messages\" has \"weight\": 0 (a per-message training weight), which llmforge does not "
                        + "support: every assistant message is trained; remove the field or split the conversation"),
                Arguments.of(SftFormat.MESSAGES, "{\"messages\":[{\"role\":\"assistant\",\"content\":\"a\"},"
                        + "{\"role\":\"user\",\"content\":\"b\"}]}", "expected the conversation to end with the "
                        + "assistant's answer (what the model learns to say), found a last message of role \"user\""),
                Arguments.of(SftFormat.MESSAGES, "{\"messages\":[{\"role\":\"user\",\"content\":\" \"},"
                        + "{\"role\":\"assistant\",\"content\":\"b\"}]}", "expected every message to have content, "
                        + "found an empty user message (message 1 of 2)"),
                Arguments.of(SftFormat.MESSAGES, GOOD_CHAT.replace("}]}", "}],\"final_answer\":[1]}"),
                        "expected field \"final_answer\" to be a non-empty string or a number, found a list of 1"),
                Arguments.of(SftFormat.PROMPT_COMPLETION, "{\"prompt\":\"a\"}", "expected field \"completion\" to "
                        + "be a string or a list of {\"role\", \"content\"} messages, found no such field"),
                Arguments.of(SftFormat.ALPACA, "{\"instruction\":\"a\",\"input\":3,\"output\":\"b\"}",
                        "expected field \"input\" to be a string, found number 3"),
                Arguments.of(SftFormat.SELF_INSTRUCT, "{\"instruction\":\"a\",\"instances\":[]}", "expected field "
                        + "\"instances\" to be a non-empty list of {\"input\", \"output\"} objects, found a list of 0"),
                Arguments.of(SftFormat.SELF_INSTRUCT, "{\"instruction\":\"a\",\"instances\":[{\"input\":\"\"}]}",
                        "in \"instances\"[0]: expected field \"output\" to be a string, found no such field"),
                Arguments.of(SftFormat.GSM8K, "{\"question\":\"a\",\"answer\":\"b is 3\"}", "expected the answer "
                        + "to end with a line \"#### N\" (GSM8K's final answer), found none in \"b is 3\""),
                Arguments.of(SftFormat.GSM8K, "{\"question\":\"a\",\"answer\":\"b\\n#### three\"}",
                        "expected a number after \"####\", found \"three\""),
                Arguments.of(SftFormat.GSM8K, "{\"question\":\"a\",\"answer\":\"b <<1+2=3 is 3\\n#### 3\"}",
                        "expected calculator notes of the form <<48/2=24>>, found an unmatched \"<<\" or \">>\" in "
                                + "\"b <<1+2=3 is 3\""),
                Arguments.of(SftFormat.HH_CHOSEN, "{\"chosen\":\"Human: a\\n\\nAssistant: b\"}", "expected the "
                        + "dialogue to start with \"\\n\\nHuman:\", found \"Human: a\\n\\nAssistant: b\""),
                Arguments.of(SftFormat.HH_CHOSEN, "{\"chosen\":\"\\n\\nHuman: a\\n\\nAssistant: \"}",
                        "expected every turn to have text, found an empty Assistant turn (turn 2)"),
                Arguments.of(SftFormat.HH_CHOSEN, "{\"chosen\":\"\\n\\nHuman: a\\n\\nAssistant: b\\n\\nAssistant: "
                        + "c\"}", "expected Human and Assistant turns to alternate, found two Assistant turns in a "
                        + "row (turns 2 and 3)"),
                Arguments.of(SftFormat.HH_CHOSEN, "{\"chosen\":\"\\n\\nHuman: a\\n\\nAssistant: b\\n\\nHuman: c\"}",
                        "expected the conversation to end with the assistant's answer (what the model learns to "
                                + "say), found a last message of role \"user\""));
    }

    @ParameterizedTest
    @MethodSource("badJsonRecords")
    void aBadJsonRecordNamesFileLineAndReason(SftFormat format, String badLine, String reason) throws IOException {
        String good = switch (format) {
            case MESSAGES -> GOOD_CHAT;
            case PROMPT_COMPLETION -> "{\"prompt\":\"a\",\"completion\":\"b\"}";
            case ALPACA -> "{\"instruction\":\"a\",\"output\":\"b\"}";
            case SELF_INSTRUCT -> "{\"instruction\":\"a\",\"instances\":[{\"input\":\"\",\"output\":\"b\"}]}";
            case GSM8K -> "{\"question\":\"a\",\"answer\":\"b\\n#### 1\"}";
            case HH_CHOSEN -> "{\"chosen\":\"\\n\\nHuman: a\\n\\nAssistant: b\"}";
            case QA -> throw new IllegalArgumentException("not JSON");
        };
        Path file = DataFiles.write(folder, "data.jsonl", good, "", badLine, good);
        BadRecordException e = assertThrows(BadRecordException.class,
                () -> SftReader.read(List.of(file), format, BadRecords.failFast()));
        assertEquals(file + ":3: " + reason, e.getMessage());
        assertEquals(new BadRecord(new RecordLocation(file.toString(), 3), reason), e.badRecord());

        BadRecords skipped = BadRecords.skip();
        List<SftRecord> records = SftReader.read(List.of(file), format, skipped);
        assertEquals(2, records.size());
        assertEquals(List.of(1, 4), records.stream().map(r -> r.location().line()).toList());
        assertEquals(1, skipped.count());
        assertEquals("skipped 1 bad record:\n  " + file + ":3: " + reason, skipped.summary());
    }

    @Test
    void invalidJsonNamesTheColumnAndJacksonsReason() {
        Path file = DataFiles.write(folder, "broken.jsonl", GOOD_CHAT,
                "{\"messages\":[{\"role\":\"user\",\"content\":\"a\"}", "{\"messages\":1,\"messages\":2}");
        BadRecords bad = BadRecords.skip();
        assertEquals(1, assertDoesNotThrow(() -> SftReader.read(List.of(file), SftFormat.MESSAGES, bad)).size());
        List<BadRecord> reasons = bad.first();
        assertEquals(new RecordLocation(file.toString(), 2), reasons.get(0).location());
        assertEquals("expected one JSON object on the line, found invalid JSON at column 43 (Unexpected "
                + "end-of-input: expected close marker for Array): \"{\\\"messages\\\":[{\\\"role\\\":\\\"user\\\","
                + "\\\"content\\\":\\\"a\\\"}\"", reasons.get(0).reason());
        assertEquals(new RecordLocation(file.toString(), 3), reasons.get(1).location());
        assertTrue(reasons.get(1).reason().startsWith("expected one JSON object on the line, found invalid JSON at "
                + "column 25 (Duplicate field 'messages'"), reasons.get(1).reason());
    }

    @Test
    void badQaTextNamesTheLineOfTheProblem() throws IOException {
        Path file = DataFiles.write(folder, "qa.txt",
                "Q: fine", "A: fine",
                "",
                "Hello there",                       // line 4: no Q:
                "",
                "A: an answer first",                // line 6
                "",
                "Q: one", "A: two", "A: three",     // line 10: second A: in a row
                "",
                "Q: no answer", "more question",    // line 12-13
                "",
                "Q: empty answer", "A:   ",         // line 16
                "",
                "Q: fine again", "A: yes");
        BadRecords bad = BadRecords.skip();
        List<SftRecord> records = SftReader.read(List.of(file), bad);
        assertEquals(List.of(1, 18), records.stream().map(r -> r.location().line()).toList());
        assertEquals(5, bad.count());
        assertEquals(List.of(
                file + ":4: expected a record to start with \"Q:\", found \"Hello there\"",
                file + ":6: expected a record to start with \"Q:\", found an answer first: \"A: an answer first\"",
                file + ":10: expected questions and answers to alternate, found a second \"A:\" line in a row (a "
                        + "line of text that starts with \"A:\" must be indented): \"A: three\"",
                file + ":13: expected the record to end with an \"A:\" answer, found a question without one",
                file + ":16: expected every answer to have text, found an empty one"),
                bad.first().stream().map(BadRecord::toString).toList());
    }

    @Test
    void skippingKeepsTheFirstFiveReasonsAndCountsAll() throws IOException {
        String[] lines = new String[12];
        for (int i = 0; i < lines.length; i++) {
            lines[i] = i % 2 == 0 ? GOOD_CHAT : "{\"messages\":" + i + "}";
        }
        Path file = DataFiles.write(folder, "many.jsonl", lines);
        BadRecords bad = BadRecords.of(true);
        assertEquals(6, SftReader.read(List.of(file), bad).size());
        assertEquals(6, bad.count());
        assertEquals(BadRecords.REASONS_KEPT, bad.first().size());
        assertEquals(List.of(2, 4, 6, 8, 10), bad.first().stream().map(r -> r.location().line()).toList());
        assertEquals("skipped 6 bad records; the first 5:", bad.summary().lines().findFirst().orElseThrow());
        assertEquals("no bad records", BadRecords.skip().summary());
        assertThrows(BadRecordException.class, () -> SftReader.read(List.of(file), BadRecords.of(false)));
    }
}
