package dev.llmforge.alignment.preference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.alignment.eval.EvalRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreferenceFilesTest {
    @TempDir
    Path dir;

    @Test
    void pairsRoundTripInTrlsFormat() throws Exception {
        List<PreferencePair> pairs = List.of(
                new PreferencePair("What's the capital of Peru?", "Peru's capital is Lima.", "Peru's capital is Quito.", PairKind.CORRECTNESS),
                new PreferencePair("q", "a\nb", "What's \"this\"?", PairKind.FORM));
        Path file = dir.resolve("pairs.jsonl");
        PreferencePair.write(file, pairs);
        assertEquals(pairs, PreferencePair.read(file));
        assertEquals("{\"prompt\":\"What's the capital of Peru?\",\"chosen\":\"Peru's capital is Lima.\","
                + "\"rejected\":\"Peru's capital is Quito.\",\"kind\":\"correctness\"}", Files.readAllLines(file).get(0));
    }

    @Test
    void aBadKindNamesTheLine() throws Exception {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, "{\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":\"b\",\"kind\":\"style\"}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PreferencePair.read(file));
        assertTrue(e.getMessage().startsWith(file + ":1: expected a pair kind"), e.getMessage());
    }

    @Test
    void rankedListsHoldRanksAndReasons() throws Exception {
        EvalRecord peru = new EvalRecord("What's the capital of Peru?", "Lima");
        RankedResponses ranked = ProgrammaticLabeler.rank(peru,
                List.of(new Sample("What's the capital of Chile?", true), new Sample("Peru's capital is Lima.", true)));
        Path file = dir.resolve("ranked.jsonl");
        RankedResponses.write(file, List.of(ranked));
        assertEquals("{\"prompt\":\"What's the capital of Peru?\",\"responses\":[\"What's the capital of Chile?\","
                + "\"Peru's capital is Lima.\"],\"ranking\":[1,0],\"features\":[{\"correct\":false,\"answers\":false,"
                + "\"ends_cleanly\":true,\"length\":28},{\"correct\":true,\"answers\":true,\"ends_cleanly\":true,"
                + "\"length\":23}]}", Files.readString(file).strip());
    }
}
