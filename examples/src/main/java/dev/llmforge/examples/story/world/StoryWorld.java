package dev.llmforge.examples.story.world;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmforge.alignment.eval.EvalRecord;
import dev.llmforge.alignment.io.JsonLines;
import dev.llmforge.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * Generates the story's world — pretraining documents, SFT conversations, held-out evaluation questions and
 * few-shot exemplars — into a directory, deterministically: the same size and seed give byte-identical files.
 * Every file is written under a temporary name and moved into place. The files (names in the constants below)
 * are described in docs/story-world.md.
 */
public final class StoryWorld {
    /** The "internet": the documents one after another, a blank line between two (for {@code llmforge prepare --input}). */
    public static final String PRETRAIN = "pretrain.txt";
    /** SFT conversations, {@code {"messages":[...]}} a line. */
    public static final String SFT = "sft.jsonl";
    /** The same conversations as the seed's "Q: ...\nA: ..." text, separated by blank lines. */
    public static final String SFT_QA = "sft-qa.txt";
    /** Held-out fact questions in the {@code eval} format. */
    public static final String EVAL_FACTS = "eval-facts.jsonl";
    /** The held-out fact questions about the {@link WorldSplit#reinforcement} countries (those of {@link #RL_PROMPTS}). */
    public static final String EVAL_FACTS_RL = "eval-facts-rl.jsonl";
    /** The held-out fact questions about the {@link WorldSplit#unseen} countries, which no training step after pretraining asks about. */
    public static final String EVAL_FACTS_UNSEEN = "eval-facts-unseen.jsonl";
    /** Held-out age problems in the {@code eval} format, the seed problem first. */
    public static final String EVAL_AGES = "eval-ages.jsonl";
    /** "The capital of X is" for every country (held-out ones first), for the base model's recall in document style. */
    public static final String EVAL_RECALL = "eval-recall.jsonl";
    /** Few-shot exemplars: eval records with the worked response as {@code solution}. */
    public static final String FEW_SHOT = "few-shot.jsonl";
    /** Training-side questions with answers ({@code eval} format): prompts to sample, rank and reinforce. */
    public static final String TRAIN_PROMPTS = "train-prompts.jsonl";
    /** Every phrasing of every fact question about the reinforcement-learning half of the held-out countries, with answers ({@code eval} format). */
    public static final String RL_PROMPTS = "rl-prompts.jsonl";
    /** The world's countries and their facts, with {@code held_out}. */
    public static final String COUNTRIES = "countries.jsonl";
    /** What was generated: seed, sizes, counts, held-out countries. */
    public static final String MANIFEST = "world.json";

    private StoryWorld() {
    }

    /** What a generation produced, for logs and reports. */
    public record Summary(int documents, long pretrainCharacters, int conversations, int evalFacts, int evalAges,
            int fewShot, int trainingCountries, int heldOutCountries, int distinctCharacters) {
    }

    /** Generates the world of {@code size} from {@code seed} into {@code dir} (created if needed). */
    public static Summary generate(WorldSize size, long seed, Path dir) throws IOException {
        WorldSplit split = new WorldSplit(CountryTable.withCapital(), size, seed);
        List<String> documents = PretrainingCorpus.documents(split, size, seed);
        String pretrain = String.join("\n\n", documents) + "\n";
        List<Conversation> conversations = SftConversations.build(split, size, seed);
        String qa = String.join("\n\n", conversations.stream().map(Conversation::toQaText).toList()) + "\n";
        List<EvalRecord> facts = EvaluationSets.heldOutFacts(split, seed);
        List<EvalRecord> ages = EvaluationSets.heldOutAges(split);
        List<EvalRecord> fewShot = EvaluationSets.fewShot(split, size, seed);
        List<EvalRecord> recall = EvaluationSets.capitalRecall(split);
        List<EvalRecord> trainPrompts = EvaluationSets.trainingPrompts(split, size, seed);
        List<EvalRecord> rlPrompts = EvaluationSets.reinforcementPrompts(split, seed);

        BitSet alphabet = characters(pretrain);
        requireCovered(alphabet, qa, SFT_QA);
        Map<String, List<EvalRecord>> evalFiles = Map.of(EVAL_FACTS, facts, EVAL_AGES, ages, EVAL_RECALL, recall, FEW_SHOT, fewShot,
                TRAIN_PROMPTS, trainPrompts, RL_PROMPTS, rlPrompts,
                EVAL_FACTS_RL, EvaluationSets.heldOutFactsAbout(split.reinforcement(), split, seed),
                EVAL_FACTS_UNSEEN, EvaluationSets.heldOutFactsAbout(split.unseen(), split, seed));
        evalFiles.forEach((file, records) -> records.forEach(r -> requireCovered(alphabet,
                r.question() + r.answer() + (r.solution() == null ? "" : r.solution()), file)));

        writeText(dir.resolve(PRETRAIN), pretrain);
        JsonLines.write(dir.resolve(SFT), conversations.stream().map(Conversation::toMessagesJson).toList());
        writeText(dir.resolve(SFT_QA), qa);
        for (Map.Entry<String, List<EvalRecord>> file : evalFiles.entrySet()) {
            EvalRecord.write(dir.resolve(file.getKey()), file.getValue());
        }
        JsonLines.write(dir.resolve(COUNTRIES), split.all().stream().map(c -> countryJson(c, split.heldOut().contains(c))).toList());
        Summary summary = new Summary(documents.size(), pretrain.codePointCount(0, pretrain.length()), conversations.size(),
                facts.size(), ages.size(), fewShot.size(), split.training().size(), split.heldOut().size(), alphabet.cardinality());
        writeText(dir.resolve(MANIFEST), manifest(size, seed, split, summary).toPrettyString() + "\n");
        return summary;
    }

    private static BitSet characters(String text) {
        BitSet set = new BitSet();
        text.codePoints().forEach(set::set);
        return set;
    }

    /** A character-level tokenizer is built from the pretraining text, so every other file must use its characters. */
    private static void requireCovered(BitSet alphabet, String text, String file) {
        text.codePoints().filter(c -> !alphabet.get(c)).findFirst().ifPresent(c -> {
            throw new IllegalStateException(file + " uses the character '" + Character.toString(c) + "' (U+"
                    + String.format("%04X", c) + ") that no pretraining document has");
        });
    }

    private static ObjectNode countryJson(Country c, boolean heldOut) {
        ObjectNode json = JsonLines.object();
        json.put("code", c.code());
        json.put("name", c.name());
        json.put("capital", c.capital());
        json.put("continent", c.continent());
        json.put("currency", c.currency());
        ArrayNode languages = json.putArray("languages");
        c.languages().forEach(languages::add);
        json.put("held_out", heldOut);
        return json;
    }

    private static ObjectNode manifest(WorldSize size, long seed, WorldSplit split, Summary summary) {
        ObjectNode json = JsonLines.object();
        json.put("seed", seed);
        ObjectNode sizes = json.putObject("size");
        for (Map.Entry<String, Object> knob : size.knobs().entrySet()) {
            if (knob.getValue() instanceof Integer n) {
                sizes.put(knob.getKey(), n);
            } else {
                sizes.put(knob.getKey(), knob.getValue().toString());
            }
        }
        ObjectNode counts = json.putObject("counts");
        counts.put("pretrain_characters", summary.pretrainCharacters());
        counts.put("distinct_characters", summary.distinctCharacters());
        counts.put("sft_conversations", summary.conversations());
        counts.put("eval_facts", summary.evalFacts());
        counts.put("eval_ages", summary.evalAges());
        counts.put("few_shot", summary.fewShot());
        counts.put("training_countries", summary.trainingCountries());
        counts.put("held_out_countries", summary.heldOutCountries());
        ArrayNode heldOut = json.putArray("held_out_countries");
        split.heldOut().forEach(c -> heldOut.add(c.name()));
        ArrayNode reinforcement = json.putArray("rl_countries");
        split.reinforcement().forEach(c -> reinforcement.add(c.name()));
        ArrayNode unseen = json.putArray("unseen_countries");
        split.unseen().forEach(c -> unseen.add(c.name()));
        return json;
    }

    private static void writeText(Path file, String text) throws IOException {
        AtomicFiles.write(file, text.getBytes(StandardCharsets.UTF_8));
    }
}
