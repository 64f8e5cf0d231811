package dev.llmforge.examples.story;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The held-out table of a story report, read back: each model's count of responses that answer. */
final class HeldOutTable {
    private HeldOutTable() {
    }

    /** The answered count of {@code model}'s row in the held-out table (its first proportion). */
    static int answered(String report, String model) {
        int at = report.indexOf("| model | answers |");
        assertTrue(at >= 0, "the held-out table");
        Matcher row = Pattern.compile("^\\| " + model + " \\| (\\d+)/", Pattern.MULTILINE).matcher(report.substring(at));
        assertTrue(row.find(), model + " row in the held-out table");
        return Integer.parseInt(row.group(1));
    }

    /** The story's first claim: the SFT model answers more held-out questions than the base model, which continues the document. */
    static void assertSftAnswersMoreThanBase(String report) {
        int base = answered(report, BaseStage.NAME);
        int sft = answered(report, SftStage.NAME);
        assertTrue(sft > base, "SFT answers " + sft + ", the base model " + base + ":\n" + report);
    }
}
