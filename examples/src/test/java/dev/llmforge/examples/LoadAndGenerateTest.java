package dev.llmforge.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.generate.GenerationConfig;
import dev.llmforge.generate.Generator;
import dev.llmforge.io.Checkpoint;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tokenizer.CharTokenizer;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.tokenizer.TokenizerFiles;
import dev.llmforge.training.Trainer;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The README's load-and-generate program, as an application would run it: in a fresh JVM whose
 * class path holds llmforge-core, llmforge-tokenizer and one backend of llmforge's modules (not
 * training, not the other backends, not the examples module), with slf4j-simple and its defaults as
 * the application's logging, against a
 * checkpoint written beforehand. It must print the prompt and its continuation and nothing else.
 */
class LoadAndGenerateTest {
    private static final String CORPUS = "ROMEO: But soft, what light through yonder window breaks?\nJULIET: O Romeo, Romeo!\n";

    @TempDir
    static Path checkpoint;

    @BeforeAll
    static void writeCheckpointElsewhere() throws IOException {
        Tokenizer tokenizer = CharTokenizer.fromCorpus(CORPUS);
        try (Gpt model = new Gpt(GptConfig.gpt2(tokenizer.vocabSize(), 32, 2, 2, 32), Backends.get("reference"), 5)) {
            Checkpoint.writer(checkpoint).model(model).tokenizerJson(TokenizerFiles.toJson(tokenizer)).write();
        }
    }

    @Test
    void theReadmeShowsThisProgram() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        String source = Files.readString(Path.of("src", "main", "java", "dev", "llmforge", "examples", "LoadAndGenerate.java"),
                StandardCharsets.UTF_8);
        int start = readme.indexOf("```java\nPath dir");
        assertTrue(start >= 0, "README.md shows the load-and-generate program in a ```java block starting with `Path dir`");
        String block = readme.substring(start + "```java\n".length(), readme.indexOf("```", start + 3));
        assertEquals(squeeze(block), squeeze(body(source)), "README.md's program is LoadAndGenerate.main's body");
    }

    /** The lines inside main's braces. */
    private static String body(String source) {
        int open = source.indexOf('{', source.indexOf("public static void main"));
        int close = source.lastIndexOf('}', source.lastIndexOf('}') - 1);
        return source.substring(open + 1, close);
    }

    /** Every run of white space as one space. */
    private static String squeeze(String code) {
        return code.trim().replaceAll("\\s+", " ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"djl", "nd4j"})
    void runsWithCoreTokenizerAndOneBackendAndPrintsOnlyTheText(String backend, @TempDir Path application) throws Exception {
        // the program's class alone, without the examples module (whose simplelogger.properties would quieten the engines)
        Path classFile = Path.of(LoadAndGenerate.class.getName().replace('.', File.separatorChar) + ".class");
        Files.createDirectories(application.resolve(classFile).getParent());
        Files.copy(location(LoadAndGenerate.class).resolve(classFile), application.resolve(classFile));
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                application + File.pathSeparator + classPathWithOnly(backend), LoadAndGenerate.class.getName(), checkpoint.toString()))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the program did not finish");
        assertEquals(0, p.exitValue(), output);
        assertEquals(expectedText(backend) + "\n", output, "the program prints the prompt and its continuation, no log line");
    }

    /** What the program's generation gives in this JVM, on the same backend. */
    private static String expectedText(String backend) throws IOException {
        Tokenizer tokenizer = TokenizerFiles.load(checkpoint.resolve(Checkpoint.TOKENIZER));
        try (Gpt model = Checkpoint.loadModel(checkpoint, Backends.get(backend)); Generator generator = new Generator(model, tokenizer::decode)) {
            GenerationConfig config = GenerationConfig.builder().maxNewTokens(200).temperature(0.8).topK(200).build();
            return "ROMEO:" + generator.generate(tokenizer.encode("ROMEO:"), config).text();
        }
    }

    /**
     * This test's class path without the examples module, llmforge-training and the llmforge
     * backends other than {@code backend}. The other engines' own jars stay: without their llmforge
     * module no backend finds them.
     */
    private static String classPathWithOnly(String backend) throws ClassNotFoundException, URISyntaxException {
        Set<String> backends = Set.of("djl", "tensorflow", "nd4j");
        List<Path> excluded = new ArrayList<>(List.of(location(LoadAndGenerate.class), location(LoadAndGenerateTest.class),
                location(Trainer.class)));
        for (String other : backends) {
            if (!other.equals(backend)) {
                excluded.add(location(Class.forName(backendClass(other))));
            }
        }
        String kept = List.of(System.getProperty("java.class.path").split(File.pathSeparator)).stream()
                .filter(entry -> !excluded.contains(Path.of(entry).toAbsolutePath()))
                .collect(Collectors.joining(File.pathSeparator));
        assertEquals(System.getProperty("java.class.path").split(File.pathSeparator).length - 5, kept.split(File.pathSeparator).length,
                "the examples module (classes and test classes), training and two backends were taken off the class path");
        return kept;
    }

    private static String backendClass(String name) {
        return switch (name) {
            case "djl" -> "dev.llmforge.backend.djl.DjlBackend";
            case "tensorflow" -> "dev.llmforge.backend.tensorflow.TensorFlowBackend";
            default -> "dev.llmforge.backend.nd4j.Nd4jBackend";
        };
    }

    private static Path location(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
    }
}
