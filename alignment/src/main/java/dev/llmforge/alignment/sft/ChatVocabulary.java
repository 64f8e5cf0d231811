package dev.llmforge.alignment.sft;

import dev.llmforge.model.Gpt;
import dev.llmforge.model.VocabularyGrowth;
import dev.llmforge.tokenizer.BpeTokenizer;
import dev.llmforge.tokenizer.CharTokenizer;
import dev.llmforge.tokenizer.SentencePieceTokenizer;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.tokenizer.chat.ChatTemplate;
import java.util.List;

/**
 * A tokenizer and model made ready for a chat template: the template's special tokens the tokenizer lacks
 * ({@link ChatTemplate#specialTokens()}: ChatML's {@code <|im_start|>} and {@code <|im_end|>}, the plain
 * templates' {@code <|endoftext|>}) are added with the next ids, and the model's vocabulary grows to cover them
 * ({@link VocabularyGrowth}: new embedding and head rows at the mean of the old). A model whose vocabulary already
 * has room (GPT-2 checkpoints padded to 50,304 rows for 50,257 tokens) keeps its shape.
 *
 * @param tokenizer the tokenizer with the template's special tokens
 * @param model     the model covering the tokenizer's ids: the given one, or a grown copy (then {@link #grown()})
 * @param added     the special tokens added, in id order
 */
public record ChatVocabulary(Tokenizer tokenizer, Gpt model, List<String> added, boolean grown) {
    /**
     * The tokenizer and model for {@code template}; the given model is not changed (a grown copy is new and owned
     * by the caller).
     *
     * @throws IllegalArgumentException if tokens are missing from a tokenizer that cannot add special tokens, or if
     *                                  the tokenizer has more ids than the model
     */
    public static ChatVocabulary prepare(ChatTemplate template, Tokenizer tokenizer, Gpt model) {
        int modelVocab = model.config().vocabSize();
        if (tokenizer.vocabSize() > modelVocab) {
            throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize() + " ids but the model only " + modelVocab
                    + ": they do not belong together");
        }
        List<String> missing = template.specialTokens().stream().filter(t -> !tokenizer.specialTokens().contains(t)).toList();
        if (missing.isEmpty()) {
            return new ChatVocabulary(tokenizer, model, List.of(), false);
        }
        Tokenizer extended = withSpecialTokens(tokenizer, missing);
        if (extended.vocabSize() <= modelVocab) {
            return new ChatVocabulary(extended, model, missing, false);
        }
        return new ChatVocabulary(extended, VocabularyGrowth.grow(model, extended.vocabSize()), missing, true);
    }

    private static Tokenizer withSpecialTokens(Tokenizer tokenizer, List<String> added) {
        if (tokenizer instanceof BpeTokenizer bpe) {
            return bpe.withAddedSpecialTokens(added);
        }
        if (tokenizer instanceof CharTokenizer chars) {
            return chars.withAddedSpecialTokens(added);
        }
        if (tokenizer instanceof SentencePieceTokenizer pieces) {
            return pieces.withAddedSpecialTokens(added);
        }
        throw new IllegalArgumentException("the template needs the special tokens " + added + ", which a " + tokenizer.getClass().getSimpleName()
                + " cannot add: use a char, BPE or llama2.c tokenizer");
    }

    /** {@code "added <|im_start|>, <|im_end|> (ids 65-66); the model grew from 65 to 67 tokens"}, or null if nothing changed. */
    public String describe(int oldModelVocab) {
        if (added.isEmpty()) {
            return null;
        }
        int first = tokenizer.specialTokens().requireId(added.get(0));
        String ids = added.size() == 1 ? "id " + first : "ids " + first + "-" + (first + added.size() - 1);
        return "added the special tokens " + String.join(", ", added) + " (" + ids + ")"
                + (grown ? "; the model grew from " + oldModelVocab + " to " + model.config().vocabSize() + " tokens (new rows: the mean of the old)"
                : "; the model's " + model.config().vocabSize() + " rows already cover them");
    }
}
