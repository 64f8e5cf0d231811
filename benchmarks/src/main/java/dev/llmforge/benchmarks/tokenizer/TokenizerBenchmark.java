package dev.llmforge.benchmarks.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.llmforge.tokenizer.BpeTokenizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Encoding speed of GPT-2 BPE on a whole corpus (default: the project's copy of Tiny Shakespeare): llmforge's
 * {@link BpeTokenizer#gpt2()}, JTokkit's r50k_base and Hugging Face's Rust tokenizer through DJL (loading a
 * local {@code tokenizer.json}, nothing downloaded). Each is warmed up, then all are timed in turn several times
 * (round robin, so that changes of machine load hit all alike); the median is reported in MB/s (10^6 UTF-8 bytes
 * per second) with the ratio of llmforge's speed to each. All must give identical ids.
 *
 * <p>Arguments (all optional): corpus file, tokenizer.json for Hugging Face, timed repetitions (default 9).
 * Relative defaults are looked up from the working directory upwards.
 */
public final class TokenizerBenchmark {
    static final String DEFAULT_CORPUS = "tokenizer/src/test/resources/data/tinyshakespeare/input.txt";
    private static final String DEFAULT_TOKENIZER_JSON = "tokenizer/src/test/resources/data/gpt2-tokenizer/tokenizer.json";
    private static final int WARM_UP_RUNS = 5;
    private static final int DEFAULT_REPETITIONS = 9;

    private TokenizerBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("OPT_OUT_TRACKING", "true"); // before any DJL class loads
        System.setProperty("ai.djl.offline", "true");
        Path corpus = locate(args.length > 0 ? args[0] : DEFAULT_CORPUS);
        Path tokenizerJson = locate(args.length > 1 ? args[1] : DEFAULT_TOKENIZER_JSON);
        int repetitions = args.length > 2 ? Integer.parseInt(args[2]) : DEFAULT_REPETITIONS;
        String text = Files.readString(corpus);
        long bytes = text.getBytes(StandardCharsets.UTF_8).length;
        System.out.printf("corpus %s: %,d bytes; %d warm-up runs, median of %d timed runs; %d cores%n",
                corpus, bytes, WARM_UP_RUNS, repetitions, Runtime.getRuntime().availableProcessors());

        Encoding jtokkit = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.R50K_BASE);
        Map<String, String> wholeText = Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "false");
        try (HuggingFaceTokenizer huggingFace = HuggingFaceTokenizer.newInstance(tokenizerJson, wholeText)) {
            Map<String, Function<String, int[]>> tokenizers = new LinkedHashMap<>();
            tokenizers.put("llmforge BpeTokenizer.gpt2()", BpeTokenizer.gpt2()::encode);
            tokenizers.put("JTokkit 1.1.0 r50k_base", t -> jtokkit.encodeOrdinary(t).toArray());
            tokenizers.put("Hugging Face tokenizers (DJL)", t -> toInts(huggingFace.encode(t).getIds()));

            int[] reference = null;
            for (Map.Entry<String, Function<String, int[]>> entry : tokenizers.entrySet()) {
                int[] ids = entry.getValue().apply(text);
                if (reference == null) {
                    reference = ids;
                } else if (!Arrays.equals(reference, ids)) {
                    throw new IllegalStateException(String.format("%s gives %,d ids that differ from llmforge's %,d",
                            entry.getKey(), ids.length, reference.length));
                }
                for (int i = 1; i < WARM_UP_RUNS; i++) {
                    entry.getValue().apply(text);
                }
            }
            System.out.printf("all three give the same %,d ids%n", reference.length);
            Map<String, List<Double>> speeds = new LinkedHashMap<>();
            for (int i = 0; i < repetitions; i++) { // round robin, so that all see the same machine load
                for (Map.Entry<String, Function<String, int[]>> entry : tokenizers.entrySet()) {
                    long start = System.nanoTime();
                    entry.getValue().apply(text);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    speeds.computeIfAbsent(entry.getKey(), k -> new ArrayList<>()).add(bytes / 1e6 / seconds);
                }
            }
            double ours = median(speeds.get("llmforge BpeTokenizer.gpt2()"));
            speeds.forEach((name, runs) -> System.out.printf("%-32s %8.1f MB/s   llmforge is %5.2fx%n",
                    name, median(runs), ours / median(runs)));
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    private static int[] toInts(long[] ids) {
        int[] ints = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            ints[i] = Math.toIntExact(ids[i]);
        }
        return ints;
    }

    /** {@code name} as given if it exists, else relative to the nearest parent of the working directory. */
    static Path locate(String name) {
        Path path = Path.of(name);
        for (Path dir = Path.of("").toAbsolutePath(); !Files.exists(path) && !path.isAbsolute() && dir != null;
                dir = dir.getParent()) {
            if (Files.exists(dir.resolve(name))) {
                return dir.resolve(name);
            }
        }
        if (!Files.exists(path)) {
            throw new IllegalArgumentException(name + " not found from " + Path.of("").toAbsolutePath()
                    + "; pass the corpus and tokenizer.json paths as arguments");
        }
        return path;
    }
}
