package dev.llmforge.examples;

import dev.llmforge.generate.GenerationConfig;
import dev.llmforge.generate.GenerationResult;
import dev.llmforge.generate.Generator;
import dev.llmforge.io.Checkpoint;
import dev.llmforge.model.Gpt;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.tokenizer.TokenizerFiles;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Inference from an application: load a checkpoint trained elsewhere (by {@code llmforge pretrain},
 * say) and continue a prompt. Needs only llmforge-core, llmforge-tokenizer and one backend; README.md
 * shows this program, and {@code LoadAndGenerateTest} runs it with exactly those on the class path.
 *
 * <pre>
 * java -cp examples/target/llmforge.jar dev.llmforge.examples.LoadAndGenerate [checkpoint-dir]
 * </pre>
 */
public final class LoadAndGenerate {
    private LoadAndGenerate() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "out/shakespeare-char/best"); // model, config and tokenizer
        Tokenizer tokenizer = TokenizerFiles.load(dir.resolve(Checkpoint.TOKENIZER));
        try (Gpt model = Checkpoint.loadModel(dir, Backends.get());                   // the backend on the class path
             Generator generator = new Generator(model, tokenizer::decode)) {
            GenerationConfig config = GenerationConfig.builder().maxNewTokens(200).temperature(0.8).topK(200).build();
            GenerationResult result = generator.generate(tokenizer.encode("ROMEO:"), config);
            System.out.println("ROMEO:" + result.text());
        }
    }
}
