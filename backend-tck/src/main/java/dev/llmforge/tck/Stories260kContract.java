package dev.llmforge.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmforge.generate.GenerationConfig;
import dev.llmforge.generate.GenerationResult;
import dev.llmforge.generate.Generator;
import dev.llmforge.io.Llama2c;
import dev.llmforge.io.Llama2cTokenizer;
import dev.llmforge.model.Gpt;
import dev.llmforge.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Karpathy's stories260K (a LLaMA-style model in llama2.c format: RoPE, RMSNorm, SwiGLU,
 * grouped-query attention) generates greedily exactly the token ids of
 * {@code golden/stories260K/greedy_reference.json}, and {@code tok512.bin} decodes them to the text
 * its author documents.
 */
public abstract class Stories260kContract extends BackendContract {
    private static final String DIR = "/golden/stories260K/";

    private Gpt model;
    private Llama2cTokenizer tokenizer;
    private JsonNode runs;

    @BeforeEach
    void loadModel() throws IOException {
        model = Llama2c.load(resource("stories260K.bin"), "stories260K.bin", Tensor.on(backend()));
        tokenizer = Llama2cTokenizer.read(resource("tok512.bin"), model.config().vocabSize(), "tok512.bin");
        runs = new ObjectMapper().readTree(resource("greedy_reference.json").array());
    }

    @AfterEach
    void release() {
        model.close();
    }

    @Test
    void greedyGenerationReproducesTheReferenceTokensAndText() {
        try (Generator generator = new Generator(model, tokenizer)) {
            for (JsonNode run : runs) {
                greedyRunMatches(generator, run);
            }
        }
    }

    private void greedyRunMatches(Generator generator, JsonNode run) {
        int[] prompt = ints(run.get("prompt_token_ids"));
        int[] expected = ints(run.get("token_ids"));
        assertArrayEquals(prompt, tokenizer.encode(run.get("prompt").asText(), true, false),
                "tok512 encodes \"" + run.get("prompt").asText() + "\" as the reference prompt");
        GenerationResult r = generator.generate(prompt, runConfig(run, prompt, true));
        assertArrayEquals(expected, r.allTokens(), "greedy tokens for prompt \"" + run.get("prompt").asText() + "\"");
        assertEquals(run.get("text").asText(), tokenizer.decode(r.allTokens()), "decoded text");
        System.out.println("[stories260K on " + backend().name() + "] prompt \"" + run.get("prompt").asText() + "\": "
                + r.tokens().length + " greedy tokens identical to the reference, text identical");
    }

    @Test
    void recomputingWithoutTheCacheGivesTheSameTokens() {
        JsonNode shortest = runs.get(0);
        for (JsonNode run : runs) {
            shortest = run.get("steps").asInt() < shortest.get("steps").asInt() ? run : shortest;
        }
        int[] prompt = ints(shortest.get("prompt_token_ids"));
        try (Generator generator = new Generator(model)) {
            GenerationResult r = generator.generate(prompt, runConfig(shortest, prompt, false));
            assertArrayEquals(ints(shortest.get("token_ids")), r.allTokens());
        }
    }

    /**
     * run.c's loop: {@code steps} positions in all (so steps + 1 tokens with the leading BOS),
     * stopping early if BOS (id 1) comes up.
     */
    private static GenerationConfig runConfig(JsonNode run, int[] prompt, boolean cache) {
        return GenerationConfig.builder()
                .maxNewTokens(run.get("steps").asInt() + 1 - prompt.length)
                .temperature(run.get("temperature").asDouble())
                .stopTokenIds(Set.of(Llama2cTokenizer.BOS))
                .useCache(cache)
                .build();
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    private static ByteBuffer resource(String name) {
        try (InputStream in = Stories260kContract.class.getResourceAsStream(DIR + name)) {
            if (in == null) {
                throw new IllegalStateException("fixture " + DIR + name + " is not on the class path");
            }
            return ByteBuffer.wrap(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
