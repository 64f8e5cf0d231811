package dev.llmforge.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class QuickStartTest {
    @Test
    void printsAFallingLoss() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            QuickStart.main(new String[] {"30"});
        } finally {
            System.setOut(original);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.startsWith("djl: GPT with"), out);
        Matcher m = Pattern.compile("step +(\\d+) +loss (\\d+\\.\\d+)").matcher(out);
        List<Double> losses = m.results().map(r -> Double.parseDouble(r.group(2))).toList();
        assertEquals(4, losses.size(), out); // steps 1, 10, 20, 30
        assertEquals(Math.log(65), losses.get(0), 0.3, "an untrained model is near uniform: " + out);
        assertTrue(losses.get(3) < losses.get(0) - 0.8, out);
    }
}
