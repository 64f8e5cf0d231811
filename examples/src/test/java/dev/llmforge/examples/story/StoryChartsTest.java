package dev.llmforge.examples.story;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.llmforge.alignment.eval.EvalSummary;
import dev.llmforge.alignment.eval.PromptStyle;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoryChartsTest {
    @Test
    void accuracyAgainstKIsAPngEvenWhenEveryAccuracyIsZero(@TempDir Path dir) throws Exception {
        EvalSummary none = new EvalSummary(40, 0, 40, Map.of());
        List<PromptStudy.Row> rows = List.of(new PromptStudy.Row("base", PromptStyle.COT, 0, none), new PromptStudy.Row("base", PromptStyle.COT, 1, none),
                new PromptStudy.Row("base", PromptStyle.COT, 5, none), new PromptStudy.Row("sft", PromptStyle.ZERO_SHOT, 0, none));
        Path file = dir.resolve(StoryCharts.ACCURACY_VS_K);
        StoryCharts.accuracyVsK(file, rows);
        BufferedImage png = ImageIO.read(file.toFile());
        assertNotNull(png);
        assertEquals(900, png.getWidth());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left");
        }
    }
}
