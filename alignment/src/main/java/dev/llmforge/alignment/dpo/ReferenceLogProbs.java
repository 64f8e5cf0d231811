package dev.llmforge.alignment.dpo;

import dev.llmforge.alignment.data.PreferenceBatchSource;
import dev.llmforge.alignment.data.PreferenceExample;
import dev.llmforge.autograd.GradMode;
import dev.llmforge.model.Gpt;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference model's log-probabilities of every response, computed once before DPO trains
 * ({@code --precompute-ref}): the reference need not stay in memory nor run at every step. The values are what the
 * live reference computes, up to float rounding from different batch companions and padding.
 */
public final class ReferenceLogProbs {
    private ReferenceLogProbs() {
    }

    /**
     * Per group, {@code [pair][0 chosen | 1 rejected]}: {@code reference}'s log-probability of each response, as
     * {@link DpoObjective#responseLogProbs} computes it for {@code loss}, {@code groupsPerBatch} groups at a time,
     * without gradients and in evaluation mode (the model's mode is restored).
     */
    public static List<double[][]> compute(Gpt reference, List<List<PreferenceExample>> groups, int groupsPerBatch, long padId,
                                           DpoLoss loss) {
        TensorFactory tensors = Tensor.on(reference.parameters().get(0).backend(), reference.parameters().get(0).device());
        boolean training = reference.isTraining();
        reference.eval();
        List<double[][]> out = new ArrayList<>(groups.size());
        try (GradMode.Restore ignored = GradMode.noGrad()) {
            for (int start = 0; start < groups.size(); start += groupsPerBatch) {
                List<List<PreferenceExample>> chunk = groups.subList(start, Math.min(groups.size(), start + groupsPerBatch));
                double[] rows;
                try (TensorScope scope = TensorScope.open()) {
                    rows = DpoObjective.responseLogProbs(reference, PreferenceBatchSource.batchOf(chunk, padId, null).upload(tensors), loss)
                            .toDoubleArray(); // (2P)
                }
                int p = rows.length / 2;
                int i = 0;
                for (List<PreferenceExample> group : chunk) {
                    double[][] pairs = new double[group.size()][];
                    for (int j = 0; j < pairs.length; j++, i++) {
                        pairs[j] = new double[] {rows[i], rows[i + p]};
                    }
                    out.add(pairs);
                }
            }
        } finally {
            reference.train(training);
        }
        return out;
    }
}
