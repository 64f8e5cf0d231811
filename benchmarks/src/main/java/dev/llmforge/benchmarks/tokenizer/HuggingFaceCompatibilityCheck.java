package dev.llmforge.benchmarks.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.llmforge.tokenizer.BpeTokenizer;
import dev.llmforge.tokenizer.BpeTrainer;
import dev.llmforge.tokenizer.SpecialTokenPolicy;
import dev.llmforge.tokenizer.SpecialTokens;
import dev.llmforge.tokenizer.SplitPattern;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Checks that {@code tokenizer.json} files written by {@link BpeTokenizer#saveHuggingFace(Path)} are read by
 * Hugging Face's own (Rust) tokenizers library, through DJL, and encode exactly as llmforge does: GPT-2,
 * cl100k_base, and tokenizers trained with each {@link SplitPattern}, on a corpus and on adversarial text.
 * Exits with status 1 on the first difference.
 *
 * <p>Arguments (optional): corpus file (default: the project's Tiny Shakespeare), cl100k_base.tiktoken.
 */
public final class HuggingFaceCompatibilityCheck {
    private static final String DEFAULT_CL100K = "tokenizer/src/test/resources/data/gpt2-tokenizer/cl100k_base.tiktoken";
    private static final String ADVERSARIAL = " \t\n\r\u000B\u000C\u0085\u00A0\u2028\u3000'sdmtSDMTlLvVeErR\u017F"
            + "aZé中한ـ\u0301²½Ⅻ٣𝟘😀🇫!?.,;()[]{}<>|-_0123456789";

    private HuggingFaceCompatibilityCheck() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("OPT_OUT_TRACKING", "true");
        System.setProperty("ai.djl.offline", "true");
        String corpus = Files.readString(TokenizerBenchmark.locate(
                args.length > 0 ? args[0] : TokenizerBenchmark.DEFAULT_CORPUS));
        Path cl100kRanks = TokenizerBenchmark.locate(args.length > 1 ? args[1] : DEFAULT_CL100K);

        Map<String, BpeTokenizer> tokenizers = new LinkedHashMap<>();
        tokenizers.put("gpt2", BpeTokenizer.gpt2());
        tokenizers.put("cl100k_base", BpeTokenizer.cl100kBase(cl100kRanks));
        for (SplitPattern pattern : SplitPattern.values()) {
            tokenizers.put("trained-" + pattern, new BpeTrainer(2000, pattern, List.of(SpecialTokens.END_OF_TEXT))
                    .train(corpus.substring(0, Math.min(corpus.length(), 300_000))));
        }
        List<String> texts = new ArrayList<>(List.of(corpus));
        int[] alphabet = ADVERSARIAL.codePoints().toArray();
        Random random = new Random(1);
        for (int i = 0; i < 3_000; i++) {
            StringBuilder text = new StringBuilder();
            for (int j = random.nextInt(30); j > 0; j--) {
                text.appendCodePoint(alphabet[random.nextInt(alphabet.length)]);
                if (random.nextInt(100) == 0) {
                    text.append(SpecialTokens.END_OF_TEXT);
                }
            }
            texts.add(text.toString());
        }

        Path folder = Files.createTempDirectory("hf-compat");
        Map<String, String> options = Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "false");
        boolean allSame = true;
        for (Map.Entry<String, BpeTokenizer> entry : tokenizers.entrySet()) {
            Path file = folder.resolve(entry.getKey() + ".json");
            entry.getValue().saveHuggingFace(file);
            int differences = 0;
            try (HuggingFaceTokenizer huggingFace = HuggingFaceTokenizer.newInstance(file, options)) {
                for (String text : texts) {
                    int[] ours = entry.getValue().encode(text, SpecialTokenPolicy.SPECIAL);
                    long[] theirs = huggingFace.encode(text).getIds();
                    if (!Arrays.equals(ours, Arrays.stream(theirs).mapToInt(Math::toIntExact).toArray())) {
                        if (differences++ < 3) {
                            System.out.printf("  %s differs on %s: llmforge %s, Hugging Face %s%n", entry.getKey(),
                                    escape(text), Arrays.toString(ours), Arrays.toString(theirs));
                        }
                    }
                }
            }
            System.out.printf("%-22s %s (%d texts)%n", entry.getKey(),
                    differences == 0 ? "identical" : differences + " texts differ", texts.size());
            allSame &= differences == 0;
            Files.delete(file);
        }
        Files.delete(folder);
        if (!allSame) {
            System.exit(1);
        }
    }

    private static String escape(String text) {
        StringBuilder out = new StringBuilder("\"");
        text.codePoints().forEach(cp -> out.append(cp < 0x20 || cp > 0x7E
                ? String.format("\\u{%X}", cp) : String.valueOf((char) cp)));
        return out.append('"').toString();
    }
}
