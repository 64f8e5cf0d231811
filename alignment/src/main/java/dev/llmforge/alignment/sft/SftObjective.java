package dev.llmforge.alignment.sft;

import dev.llmforge.model.Gpt;
import dev.llmforge.nn.Segments;
import dev.llmforge.nn.functional.F;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.training.EvalContext;
import dev.llmforge.training.Loss;
import dev.llmforge.training.Objective;
import dev.llmforge.training.data.Batch;
import dev.llmforge.training.data.TensorBatch;
import dev.llmforge.training.metrics.MetricNames;
import java.util.List;
import java.util.Map;

/**
 * Supervised fine-tuning's objective: the cross-entropy of the model's next-token predictions over the labelled
 * positions of a padded batch ({@link NextTokenRows}: ids, attention mask, targets), averaged over every labelled
 * token of the micro-batch — TRL's normalisation, so a long answer weighs more than a short one. Padding is masked
 * by the attention mask (each real token sees what it sees alone) and has no targets; a packed batch's records are told
 * apart by their segment ids ({@link Segments}: positions restart, no attention across records). With gradient accumulation
 * the loop averages the micro-batches' means.
 *
 * <p>Evaluation: the masked loss of every evaluation source (the same records each time), and, when {@link AnswerAccuracy} is given,
 * the exact-match accuracy of greedy answers to held-out records with a final answer, the share of them in the form of
 * an answer rather than a continuation, and the share that ended at the end of turn.
 */
public final class SftObjective implements Objective {
    /** The evaluation metric of exact-match accuracy: {@code SOURCE_exact_match}. */
    public static final String EXACT_MATCH = "exact_match";
    /** The share of greedy answers in the form of an answer ({@code ResponseForm}): {@code SOURCE_answers}. */
    public static final String ANSWERS = "answers";
    /** The share of greedy answers that ended at the end of turn: {@code SOURCE_ends_cleanly}. */
    public static final String ENDS_CLEANLY = "ends_cleanly";

    private final Gpt model;
    private final List<NextTokenRows> heldOut;
    private final AnswerAccuracy accuracy;

    /**
     * @param model    the model trained
     * @param heldOut  evaluation sources rewound before every evaluation, so that each scores the same records
     * @param accuracy greedy answers scored at every evaluation, or null for the masked loss only
     */
    public SftObjective(Gpt model, List<NextTokenRows> heldOut, AnswerAccuracy accuracy) {
        this.model = model;
        this.heldOut = List.copyOf(heldOut);
        this.accuracy = accuracy;
    }

    @Override
    public Loss compute(TensorBatch batch) {
        Tensor ids = batch.get(Batch.IDS);
        Tensor targets = batch.get(Batch.TARGETS);
        Gpt.Output out = batch.has(Batch.SEGMENT_IDS)
                ? model.forward(ids, Segments.of(batch.get(Batch.SEGMENT_IDS)), targets, F.IGNORE_INDEX)
                : model.forward(ids, batch.get(Batch.ATTENTION_MASK), targets, F.IGNORE_INDEX);
        return Loss.of(out.loss());
    }

    @Override
    public Map<String, Double> evaluate(EvalContext eval) {
        heldOut.forEach(NextTokenRows::rewind);
        Map<String, Double> metrics = eval.meanOverSources();
        if (accuracy != null) {
            AnswerAccuracy.Result r = accuracy.measure(model);
            metrics.put(MetricNames.evaluation(accuracy.source(), EXACT_MATCH), r.fraction());
            metrics.put(MetricNames.evaluation(accuracy.source(), ANSWERS), r.answeringFraction());
            metrics.put(MetricNames.evaluation(accuracy.source(), ENDS_CLEANLY), r.endedAtEndOfTurnFraction());
        }
        return metrics;
    }
}
