package dev.llmforge.examples.cli;

import dev.llmforge.examples.story.world.StoryWorld;
import dev.llmforge.examples.story.world.WorldSize;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code llmforge world}: generates the story's world (documents, conversations, held-out questions) into a directory. */
@Command(name = "world", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Generate the story's world: pretraining documents, SFT conversations, held-out questions.",
        description = {"Generate the small world of the base -> SFT -> RLHF story, whose every answer a program can check: "
                + "country facts (capital, continent, currency, languages) and age problems (\"When I was 6 my sister was half "
                + "my age. Now I'm 70 how old is my sister?\"). Writes pretrain.txt, sft.jsonl, sft-qa.txt, eval-facts.jsonl, "
                + "eval-ages.jsonl, few-shot.jsonl, countries.jsonl and world.json (docs/story-world.md). The same preset, "
                + "sizes and seed give byte-identical files.", ""},
        footer = {"", "Examples:", "  llmforge world --preset quick --out out/world-quick",
                "  llmforge world --articles-per-country 20 --solution-style columns --out out/world"})
final class WorldCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--preset", paramLabel = "quick|full", defaultValue = "full",
            description = "the sizes to start from (default: ${DEFAULT-VALUE})")
    String preset;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1337", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "out/world", description = "output directory (default: ${DEFAULT-VALUE})")
    Path out;

    /** Adds one option per {@link WorldSize} knob ({@code --countries}, {@code --articles-per-country}, ...). */
    static void addSizeOptions(CommandSpec spec) {
        Map<String, Object> quick = WorldSize.quick().knobs();
        Map<String, Object> full = WorldSize.full().knobs();
        WorldSize.descriptions().forEach((knob, description) -> spec.addOption(OptionSpec.builder("--" + knob)
                .type(String.class).arity("1").paramLabel(quick.get(knob) instanceof Integer ? "N" : "compact|columns")
                .description(description + " (quick " + quick.get(knob) + ", full " + full.get(knob) + ")").build()));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        WorldSize size = WorldSize.preset(preset).with(sizeFlags());
        long start = System.nanoTime();
        StoryWorld.Summary s = StoryWorld.generate(size, seed, out);
        w.printf(Locale.ROOT, "%s: %,d pretraining documents (%,d characters, %d distinct), %,d SFT conversations, "
                        + "%d held-out fact questions, %d held-out age problems, %d few-shot exemplars; %d training and %d "
                        + "held-out countries (%.1f s)%n", out, s.documents(), s.pretrainCharacters(), s.distinctCharacters(),
                s.conversations(), s.evalFacts(), s.evalAges(), s.fewShot(), s.trainingCountries(), s.heldOutCountries(),
                (System.nanoTime() - start) / 1e9);
        w.flush();
        return 0;
    }

    private Map<String, String> sizeFlags() {
        Map<String, String> flags = new LinkedHashMap<>();
        for (OptionSpec o : spec.commandLine().getParseResult().matchedOptions()) {
            String knob = o.longestName().substring(2);
            if (WorldSize.descriptions().containsKey(knob)) {
                flags.put(knob, o.getValue());
            }
        }
        return flags;
    }
}
