package dev.llmforge.alignment.preference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.alignment.data.BadRecords;
import dev.llmforge.alignment.data.PreferenceGroup;
import dev.llmforge.alignment.data.PreferenceReader;
import dev.llmforge.alignment.eval.EvalRecord;
import dev.llmforge.tokenizer.chat.ChatMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreferenceFilesTest {
    @TempDir
    Path dir;

    @Test
    void pairsRoundTripInTrlsFormat() throws Exception {
        List<LabeledPair> pairs = List.of(
                new LabeledPair("What's the capital of Peru?", "Peru's capital is Lima.", "Peru's capital is Quito.", PairKind.CORRECTNESS),
                new LabeledPair("q", "a\nb", "What's \"this\"?", PairKind.FORM));
        Path file = dir.resolve("pairs.jsonl");
        LabeledPair.write(file, pairs);
        assertEquals(pairs, LabeledPair.read(file));
        assertEquals("{\"prompt\":\"What's the capital of Peru?\",\"chosen\":\"Peru's capital is Lima.\","
                + "\"rejected\":\"Peru's capital is Quito.\",\"kind\":\"correctness\"}", Files.readAllLines(file).get(0));
    }

    @Test
    void aBadKindNamesTheLine() throws Exception {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, "{\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":\"b\",\"kind\":\"style\"}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabeledPair.read(file));
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
                + "\"Peru's capital is Lima.\"],\"ranking\":[2,1],\"features\":[{\"correct\":false,\"answers\":false,"
                + "\"ends_cleanly\":true,\"length\":28},{\"correct\":true,\"answers\":true,\"ends_cleanly\":true,"
                + "\"length\":23}]}", Files.readString(file).strip());
    }

    @Test
    void theDataLayerReadsWhatTheLabelerWrites() throws Exception {
        EvalRecord peru = new EvalRecord("What's the capital of Peru?", "Lima");
        RankedResponses ranked = ProgrammaticLabeler.rank(peru, List.of(new Sample("What's the capital of Chile?", true),
                new Sample("Peru's capital is Lima.", true), new Sample("Peru's capital is Quito.", true)));
        Path rankedFile = dir.resolve("ranked.jsonl");
        RankedResponses.write(rankedFile, List.of(ranked));
        Path pairFile = dir.resolve("pairs.jsonl");
        LabeledPair.write(pairFile, ranked.pairs());

        List<PreferenceGroup> fromRanks = PreferenceReader.read(List.of(rankedFile), BadRecords.failFast());
        List<PreferenceGroup> fromPairs = PreferenceReader.read(List.of(pairFile), BadRecords.failFast());
        assertEquals(Set.of(
                        List.of("Peru's capital is Lima.", "Peru's capital is Quito."),
                        List.of("Peru's capital is Lima.", "What's the capital of Chile?"),
                        List.of("Peru's capital is Quito.", "What's the capital of Chile?")),
                chosenAndRejected(fromRanks));
        assertEquals(chosenAndRejected(fromRanks), chosenAndRejected(fromPairs));
        assertEquals(List.of(ChatMessage.user("What's the capital of Peru?")), fromRanks.get(0).prompt());
    }

    private static Set<List<String>> chosenAndRejected(List<PreferenceGroup> groups) {
        return groups.stream().flatMap(g -> g.pairs().stream())
                .map(p -> List.of(p.chosen().get(0).content(), p.rejected().get(0).content()))
                .collect(Collectors.toSet());
    }
}
