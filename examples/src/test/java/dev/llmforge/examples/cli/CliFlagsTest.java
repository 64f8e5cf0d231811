package dev.llmforge.examples.cli;

import static dev.llmforge.examples.cli.CliSmokeTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.examples.cli.CliSmokeTest.Run;
import dev.llmforge.training.OutputDirectoryException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Flags with values out of range, the prompt's sources, and which exceptions count as user errors. */
class CliFlagsTest {
    @TempDir
    Path dir;

    private void assertRefused(String flag, String expected, String... args) {
        Run r = run(args);
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains(flag) && r.err().contains(expected), r.toString());
    }

    @Test
    void pretrainRefusesNonFiniteAndOutOfRangeNumbersNamingTheFlag() {
        Path out = dir.resolve("out");
        assertRefused("'--dropout' in the command line", "expected a finite number, found NaN", "pretrain", "--out", out.toString(), "--dropout",
                "NaN");
        assertRefused("'--weight-decay' in the command line", "expected a finite number, found Infinity", "pretrain", "--out", out.toString(),
                "--weight-decay", "Infinity");
        assertRefused("'--batch-size' in the command line", "expected an integer from 1 to 1048576, found 2000000000", "pretrain", "--out",
                out.toString(), "--batch-size", "2000000000");
        assertRefused("'--beta2' in the command line", "from 0 up to (not including) 1, found 1.5", "pretrain", "--out", out.toString(),
                "--beta2", "1.5");
        assertFalse(Files.exists(out), "a bad flag fails before any data is prepared");
    }

    @Test
    void generateRefusesOutOfRangeNumbersNamingTheFlag() {
        assertRefused("--temperature", "0 (greedy) or at least 1.0E-4", "generate", "--temperature", "1e-320");
        assertRefused("--temperature", "a finite number, got NaN", "generate", "--temperature", "NaN");
        assertRefused("--top-p", "got 2.0", "generate", "--top-p", "2");
        assertRefused("--num-samples", "from 1 to 1024, got 0", "generate", "--num-samples", "0");
        assertRefused("--max-new-tokens", "got -1", "generate", "--max-new-tokens", "-1");
    }

    @Test
    void anAtSignPromptIsLiteralText() throws Exception {
        Path notes = dir.resolve("notes.txt");
        Files.writeString(notes, "the file's text");
        CommandLine cl = Llmforge.commandLine();
        CommandLine.ParseResult parsed = cl.parseArgs("generate", "--prompt", "@" + notes);
        GenerateCommand generate = parsed.subcommand().commandSpec().commandLine().getCommand();
        assertEquals("@" + notes, generate.prompt);
    }

    @Test
    void aPromptFileThatIsNotUtf8IsNamedWithTheOffset() throws Exception {
        Path latin1 = dir.resolve("prompt-latin1.txt");
        Files.write(latin1, new byte[] {'c', 'a', 'f', (byte) 0xE9, '\n'});
        assertRefused("prompt file " + latin1, "is not UTF-8 text: byte 0xE9 at offset 3 does not decode", "generate", "--prompt-file",
                latin1.toString());
    }

    @Test
    void onlyTypedInputErrorsAreReportedByMessageAlone() {
        assertTrue(Llmforge.isUserError(new OutputDirectoryException("out holds a run")));
        assertTrue(Llmforge.isUserError(new IllegalArgumentException("--top-k ...")));
        assertFalse(Llmforge.isUserError(new IllegalStateException("a bug")), "an IllegalStateException is a bug: it keeps its stack trace");
    }
}
