package dev.llmforge.alignment.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.llmforge.tokenizer.chat.ChatMessage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PreferenceReaderTest {
    private static final List<ChatMessage> SKY = List.of(ChatMessage.user("What colour is the sky?"));

    @TempDir
    Path folder;

    @Test
    void readsTrlPairsAsTextOrMessagesWithAnOptionalMargin() throws IOException {
        Path file = DataFiles.write(folder, "pairs.jsonl",
                "{\"prompt\":\"What colour is the sky?\",\"chosen\":\"Blue.\",\"rejected\":\"Green.\",\"margin\":1.5}",
                "{\"prompt\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":"
                        + "\"What colour is the sky?\"}],\"chosen\":[{\"role\":\"assistant\",\"content\":\"Blue.\"}],"
                        + "\"rejected\":[{\"role\":\"assistant\",\"content\":\"Green.\"}]}");
        List<PreferenceGroup> groups = PreferenceReader.read(List.of(file), BadRecords.failFast());
        assertEquals(new PreferenceGroup(SKY, List.of(new PreferencePair(List.of(ChatMessage.assistant("Blue.")),
                List.of(ChatMessage.assistant("Green.")), OptionalDouble.of(1.5))),
                new RecordLocation(file.toString(), 1)), groups.get(0));
        assertEquals(List.of(ChatMessage.system("Be brief."), SKY.get(0)), groups.get(1).prompt());
        assertEquals(OptionalDouble.empty(), groups.get(1).pairs().get(0).margin());
    }

    @Test
    void withoutAPromptTheSharedFirstMessagesAreThePrompt() throws IOException {
        Path file = DataFiles.write(folder, "implicit.jsonl",
                "{\"chosen\":[{\"role\":\"user\",\"content\":\"What colour is the sky?\"},{\"role\":\"assistant\","
                        + "\"content\":\"Blue.\"}],\"rejected\":[{\"role\":\"user\",\"content\":\"What colour is the "
                        + "sky?\"},{\"role\":\"assistant\",\"content\":\"Green.\"}]}");
        PreferenceGroup group = PreferenceReader.read(List.of(file), BadRecords.failFast()).get(0);
        assertEquals(SKY, group.prompt());
        assertEquals(List.of(ChatMessage.assistant("Blue.")), group.pairs().get(0).chosen());
        assertEquals(List.of(ChatMessage.assistant("Green.")), group.pairs().get(0).rejected());
    }

    @Test
    void hhDialoguesThatDivergeEarlierGiveMultiTurnResponses() throws IOException {
        Path file = DataFiles.write(folder, "hh.jsonl",
                "{\"chosen\":\"\\n\\nHuman: Hi\\n\\nAssistant: Hello.\\n\\nHuman: Bye\\n\\nAssistant: Bye!\","
                        + "\"rejected\":\"\\n\\nHuman: Hi\\n\\nAssistant: Go away.\"}");
        PreferenceGroup group = PreferenceReader.read(List.of(file), BadRecords.failFast()).get(0);
        assertEquals(List.of(ChatMessage.user("Hi")), group.prompt());
        assertEquals(List.of(ChatMessage.assistant("Hello."), ChatMessage.user("Bye"), ChatMessage.assistant("Bye!")),
                group.pairs().get(0).chosen());
        assertEquals(List.of(ChatMessage.assistant("Go away.")), group.pairs().get(0).rejected());
    }

    @Test
    void aRankedListBecomesEveryPairOfDifferentRanksInOneGroup() throws IOException {
        Path file = DataFiles.write(folder, "ranked.jsonl",
                "{\"prompt\":\"What colour is the sky?\",\"responses\":[\"Green.\",\"Blue.\",\"Bluish.\",\"Red.\"],"
                        + "\"ranking\":[3,1,2,4]}",
                "{\"prompt\":\"2+2?\",\"responses\":[\"4\",\"four\",\"5\"],\"ranking\":[1,1,2]}");
        assertEquals(PreferenceFormat.RANKED, PreferenceFormat.detect(file));
        List<PreferenceGroup> groups = PreferenceReader.read(List.of(file), BadRecords.failFast());
        assertEquals(List.of("Blue.>Bluish.", "Blue.>Green.", "Blue.>Red.", "Bluish.>Green.", "Bluish.>Red.",
                "Green.>Red."), pairs(groups.get(0)));
        assertEquals(SKY, groups.get(0).prompt());
        assertEquals(List.of("4>5", "four>5"), pairs(groups.get(1)), "tied responses make no pair");
    }

    private static List<String> pairs(PreferenceGroup group) {
        return group.pairs().stream()
                .map(p -> p.chosen().get(0).content() + ">" + p.rejected().get(0).content()).toList();
    }

    static Stream<Arguments> badRecords() {
        return Stream.of(
                Arguments.of(PreferenceFormat.PAIRS, "{\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":\"a\"}",
                        "expected chosen and rejected to differ, found the same response twice"),
                Arguments.of(PreferenceFormat.PAIRS, "{\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":\"b\","
                        + "\"margin\":\"big\"}", "expected field \"margin\" to be a finite number, found the string "
                        + "\"big\""),
                Arguments.of(PreferenceFormat.PAIRS, "{\"prompt\":\"p\",\"chosen\":\"a\"}", "expected field "
                        + "\"rejected\" to be a string or a list of {\"role\", \"content\"} messages, found no such "
                        + "field"),
                Arguments.of(PreferenceFormat.PAIRS, "{\"prompt\":\"p\",\"chosen\":[{\"role\":\"user\",\"content\":"
                        + "\"a\"}],\"rejected\":\"b\"}", "expected the chosen response to start and end with an "
                        + "assistant message, found roles [user]"),
                Arguments.of(PreferenceFormat.PAIRS, "{\"prompt\":[{\"role\":\"user\",\"content\":\"p\"},"
                        + "{\"role\":\"assistant\",\"content\":\"q\"}],\"chosen\":\"a\",\"rejected\":\"b\"}",
                        "expected the prompt to end with a user or system message (the responses answer it), found "
                                + "an assistant message last"),
                Arguments.of(PreferenceFormat.PAIRS, "{\"chosen\":\"\\n\\nHuman: a\\n\\nAssistant: b\","
                        + "\"rejected\":\"\\n\\nHuman: a\\n\\nAssistant: b\"}",
                        "expected chosen and rejected to differ, found the same dialogue twice"),
                Arguments.of(PreferenceFormat.PAIRS, "{\"chosen\":\"\\n\\nHuman: a\\n\\nAssistant: b\","
                        + "\"rejected\":\"\\n\\nHuman: c\\n\\nAssistant: b\"}", "expected chosen and rejected to share "
                        + "a prompt ending with \"\\n\\nAssistant:\", found that they differ from character 9 on, "
                        + "before any shared \"\\n\\nAssistant:\""),
                Arguments.of(PreferenceFormat.PAIRS, "{\"chosen\":\"\\n\\nHuman: a\\n\\nAssistant: b\","
                        + "\"rejected\":\"\\n\\nHuman: a\\n\\nAssistant: \"}", "expected every turn to have text, "
                        + "found an empty Assistant turn (turn 1)"),
                Arguments.of(PreferenceFormat.PAIRS, "{\"chosen\":[{\"role\":\"user\",\"content\":\"a\"}],"
                        + "\"rejected\":[{\"role\":\"user\",\"content\":\"b\"}]}", "expected chosen and rejected to "
                        + "share their first messages (the prompt), found that they differ from the first message "
                        + "on"),
                Arguments.of(PreferenceFormat.RANKED, "{\"prompt\":\"p\",\"responses\":[\"a\"],\"ranking\":[1]}",
                        "expected field \"responses\" to be a list of at least two responses, found a list of 1"),
                Arguments.of(PreferenceFormat.RANKED, "{\"prompt\":\"p\",\"responses\":[\"a\",\"b\"],"
                        + "\"ranking\":[1]}", "expected field \"ranking\" to be a list of 2 ranks, one per response "
                        + "(1 = best), found a list of 1"),
                Arguments.of(PreferenceFormat.RANKED, "{\"prompt\":\"p\",\"responses\":[\"a\",\"b\"],"
                        + "\"ranking\":[1,0]}", "expected \"ranking\"[1] to be the rank of response 1 (a whole number "
                        + "from 1 = best), found number 0"),
                Arguments.of(PreferenceFormat.RANKED, "{\"prompt\":\"p\",\"responses\":[\"a\",\"b\"],"
                        + "\"ranking\":[2,2]}", "expected responses of different ranks, found every response ranked "
                        + "2: there is no preference to learn"),
                Arguments.of(PreferenceFormat.RANKED, "{\"prompt\":\"p\",\"responses\":[\"a\",\"b\",\"a\"],"
                        + "\"ranking\":[1,2,3]}", "expected different responses, found responses 0 and 2 the same "
                        + "but ranked 1 and 3"),
                Arguments.of(PreferenceFormat.RANKED, "{\"prompt\":\"p\",\"responses\":[\"a\",7],"
                        + "\"ranking\":[1,2]}", "expected response 1 to be a string or a list of {\"role\", "
                        + "\"content\"} messages, found number 7"));
    }

    @ParameterizedTest
    @MethodSource("badRecords")
    void aBadRecordNamesFileLineAndReason(PreferenceFormat format, String badLine, String reason)
            throws IOException {
        String good = format == PreferenceFormat.PAIRS ? "{\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":\"b\"}"
                : "{\"prompt\":\"p\",\"responses\":[\"a\",\"b\"],\"ranking\":[1,2]}";
        Path file = DataFiles.write(folder, "data.jsonl", good, badLine, good);
        BadRecordException e = assertThrows(BadRecordException.class,
                () -> PreferenceReader.read(List.of(file), format, BadRecords.failFast()));
        assertEquals(file + ":2: " + reason, e.getMessage());

        BadRecords skipped = BadRecords.skip();
        assertEquals(2, PreferenceReader.read(List.of(file), format, skipped).size());
        assertEquals(List.of(new BadRecord(new RecordLocation(file.toString(), 2), reason)), skipped.first());
    }

    @Test
    void anUnknownShapeIsRefusedWithTheFieldsFound() {
        Path file = DataFiles.write(folder, "x.jsonl", "{\"prompt\":\"p\",\"best\":\"a\"}");
        BadRecordException e = assertThrows(BadRecordException.class, () -> PreferenceFormat.detect(file));
        assertEquals(file + ":1: cannot tell the preference format from the fields [prompt, best]; expected "
                + "\"chosen\" and \"rejected\" (pairs) or \"responses\" and \"ranking\" (ranked), or name the format",
                e.getMessage());
        assertEquals(PreferenceFormat.RANKED, PreferenceFormat.named("ranked"));
        assertEquals("unknown preference data format \"hh\"; expected one of pairs, ranked",
                assertThrows(IllegalArgumentException.class, () -> PreferenceFormat.named("hh")).getMessage());
    }
}
