package dev.llmforge.alignment.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalRecordTest {
    @TempDir
    Path dir;

    @Test
    void readsAHandWrittenFile() throws Exception {
        Path file = Path.of(getClass().getResource("/eval/handwritten.jsonl").toURI());
        List<EvalRecord> records = EvalRecord.read(file);
        assertEquals(5, records.size(), "the blank line is skipped");
        assertEquals("67", records.get(0).answer());
        assertEquals("34", records.get(1).answer(), "a JSON number is read as its text");
        assertNull(records.get(2).kind(), "unknown fields are ignored");
        assertEquals("capital", records.get(3).kind());
        assertEquals("Kenya is in Africa.", records.get(4).solution());
    }

    @Test
    void writesWhatItReads() throws Exception {
        List<EvalRecord> records = List.of(new EvalRecord("What's the capital of Peru?", "Lima"),
                new EvalRecord("Q \"quoted\"\nnext line", "Bogotá", "capital", "Colombia's capital is Bogotá."));
        Path file = dir.resolve("out/eval.jsonl");
        EvalRecord.write(file, records);
        assertEquals(records, EvalRecord.read(file));
        String text = Files.readString(file, StandardCharsets.UTF_8);
        assertTrue(text.startsWith("{\"question\":\"What's the capital of Peru?\",\"answer\":\"Lima\"}\n"), text);
        assertEquals(List.of("eval.jsonl"), Files.list(dir.resolve("out")).map(p -> p.getFileName().toString()).toList(),
                "no temporary file is left");
    }

    @Test
    void badLinesAreReportedWithFileAndLine() throws Exception {
        assertBadLine("{\"question\": \"q\"}", "line 2", "\"answer\"");
        assertBadLine("{\"question\": \"q\", \"answer\": [1]}", "line 2", "found array");
        assertBadLine("[\"q\", \"a\"]", "line 2", "expected one JSON object");
        assertBadLine("{\"question\": \"q\", ", "line 2", "invalid JSON");
        assertBadLine("{\"question\": \" \", \"answer\": \"a\"}", "line 2", "non-empty question");
    }

    private void assertBadLine(String line, String where, String what) throws Exception {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, "{\"question\": \"ok\", \"answer\": \"1\"}\n" + line + "\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EvalRecord.read(file));
        assertTrue(e.getMessage().startsWith(file + ":2: "), e.getMessage() + " should name " + where);
        assertTrue(e.getMessage().contains(what), e.getMessage());
    }
}
