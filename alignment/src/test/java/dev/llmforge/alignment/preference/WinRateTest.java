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

/** The labeler's verdicts question by question, against answers given in memory or read from an eval results file. */
class WinRateTest {
    static final List<EvalRecord> RECORDS = List.of(new EvalRecord("What's the capital of Peru?", "Lima"),
            new EvalRecord("What's the capital of Chile?", "Santiago"), new EvalRecord("What's the capital of Peru?", "Lima"),
            new EvalRecord("What's the capital of Chile?", "Santiago"));

    @TempDir
    Path dir;

    @Test
    void winsTiesAndLossesByTheLabelersOrder() {
        List<Sample> model = List.of(new Sample("Peru's capital is Lima.", true), new Sample("Chile's capital is Lima.", true),
                new Sample("Peru's capital is Lima.", true), new Sample("Chile's capital is Santiago.", false));
        List<Sample> other = List.of(new Sample("Peru's capital is Quito.", true), new Sample("Chile's capital is Lima.", true),
                new Sample("Peru's capital is Lima. And more words here.", true), new Sample("Chile's capital is Santiago.", true));
        WinRate w = WinRate.of(RECORDS, model, other);
        // right vs wrong: win; the same answer: tie; both right, shorter: win; both right, did not end cleanly: loss
        assertEquals(new WinRate(2, 1, 1), w);
        assertEquals(4, w.questions());
        assertEquals(2.5 / 4, w.rate(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> WinRate.of(RECORDS, model, other.subList(0, 3)));
    }

    @Test
    void answersAreReadFromAResultsFileInQuestionOrder() throws Exception {
        Path results = dir.resolve("sft.jsonl");
        Files.write(results, List.of(
                "{\"index\":0,\"question\":\"What's the capital of Peru?\",\"response\":\" Peru's capital is Lima.\",\"tokens\":7}",
                "{\"index\":1,\"question\":\"What's the capital of Chile?\",\"response\":\" It is\",\"tokens\":8}"));
        List<Sample> answers = WinRate.answersOf(results, RECORDS.subList(0, 2), 8);
        assertEquals(List.of(new Sample(" Peru's capital is Lima.", true), new Sample(" It is", false)), answers);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WinRate.answersOf(results, RECORDS.subList(1, 3), 8));
        assertTrue(e.getMessage().contains("answer 1 is to \"What's the capital of Peru?\", expected one to \"What's the capital of Chile?\""),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> WinRate.answersOf(results, RECORDS, 8));
        assertTrue(e.getMessage().contains("expected the answers to the same 4 questions, found 2 answers"), e.getMessage());
    }
}
