package dev.llmforge.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.nn.Segments;
import dev.llmforge.nn.functional.F;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Packed batches (several records a row, told apart by {@link Segments}) on the backend under test,
 * for the GPT-2 family (learned positions) and the LLaMA family (RoPE, grouped-query attention): a
 * packed record's loss is the loss it has alone, and its logits do not change with the records it
 * is packed with — the attention mask is block-diagonal causal and positions restart per record.
 */
public abstract class PackedBatchContract extends BackendContract {
    private static final double TOL = 1e-4;
    private static final int WIDTH = 12;
    private static final long PAD = 15;
    private static final long[] A = {3, 1, 4, 1, 5};
    private static final long[] B = {9, 2, 6};
    private static final long[] C = {5, 3, 5, 8, 9, 7};

    /** Records packed one after the other into rows of {@link #WIDTH}, each row padded at its end. */
    private record Packed(long[] ids, long[] segments, int[] rowOf, int[] startOf, int rows) {
        static Packed of(List<List<long[]>> rows) {
            int n = rows.stream().mapToInt(List::size).sum();
            long[] ids = new long[rows.size() * WIDTH];
            long[] segments = new long[ids.length];
            int[] rowOf = new int[n];
            int[] startOf = new int[n];
            Arrays.fill(ids, PAD);
            int record = 0;
            for (int r = 0; r < rows.size(); r++) {
                int t = 0;
                for (int s = 0; s < rows.get(r).size(); s++) {
                    long[] rec = rows.get(r).get(s);
                    rowOf[record] = r;
                    startOf[record++] = t;
                    for (long id : rec) {
                        ids[r * WIDTH + t] = id;
                        segments[r * WIDTH + t++] = s + 1;
                    }
                }
            }
            return new Packed(ids, segments, rowOf, startOf, rows.size());
        }

        Segments segmentIds() {
            return Segments.of(segments, rows, WIDTH);
        }

        /** Next-token targets of the given records only (each within its record), the ignore index elsewhere. */
        long[] targets(List<long[]> records, int... which) {
            long[] targets = new long[ids.length];
            Arrays.fill(targets, F.IGNORE_INDEX);
            for (int i : which) {
                int at = rowOf[i] * WIDTH + startOf[i];
                long[] rec = records.get(i);
                for (int t = 0; t + 1 < rec.length; t++) {
                    targets[at + t] = rec[t + 1];
                }
            }
            return targets;
        }
    }

    private double lossAlone(Gpt model, long[] rec) {
        long[] targets = Arrays.copyOfRange(rec, 1, rec.length + 1);
        targets[rec.length - 1] = F.IGNORE_INDEX;
        return model.forward(tensors().of(rec, 1, rec.length), tensors().of(targets, 1, rec.length), F.IGNORE_INDEX).loss().item();
    }

    private double packedLoss(Gpt model, Packed p, long[] targets) {
        return model.forward(tensors().of(p.ids(), p.rows(), WIDTH), p.segmentIds(), tensors().of(targets, p.rows(), WIDTH), F.IGNORE_INDEX)
                .loss().item();
    }

    @ParameterizedTest
    @MethodSource("dev.llmforge.tck.PaddedBatchContract#families")
    void eachPackedRecordHasTheLossItHasAlone(GptConfig config) {
        List<long[]> records = List.of(A, B, C, B);
        Packed p = Packed.of(List.of(List.of(A, B), List.of(C, B)));
        try (Gpt model = new Gpt(config, backend(), 7); TensorScope ignored = TensorScope.open()) {
            model.eval();
            double weighted = 0;
            int targets = 0;
            for (int i = 0; i < records.size(); i++) {
                double alone = lossAlone(model, records.get(i));
                assertEquals(alone, packedLoss(model, p, p.targets(records, i)), TOL, "record " + i + " packed vs alone on " + backend().name());
                weighted += alone * (records.get(i).length - 1);
                targets += records.get(i).length - 1;
            }
            // every record at once: the mean over all their targets (no target crosses from one record into the next)
            assertEquals(weighted / targets, packedLoss(model, p, p.targets(records, 0, 1, 2, 3)), TOL, "all records on " + backend().name());
        }
    }

    @ParameterizedTest
    @MethodSource("dev.llmforge.tck.PaddedBatchContract#families")
    void aRecordsLogitsDoNotChangeWithTheRecordsPackedBeforeIt(GptConfig config) {
        long[] perturbed = {7, 7, 0, 2, 11}; // A's length, other tokens
        try (Gpt model = new Gpt(config, backend(), 9); TensorScope ignored = TensorScope.open()) {
            model.eval();
            int v = config.vocabSize();
            float[] alone = model.logits(tensors().of(B, 1, B.length)).toFloatArray();
            float[] afterA = recordLogits(model, Packed.of(List.of(List.of(A, B))), 1, v);
            float[] afterPerturbed = recordLogits(model, Packed.of(List.of(List.of(perturbed, B))), 1, v);
            float[] afterC = recordLogits(model, Packed.of(List.of(List.of(C, B))), 1, v);
            assertEquals(0, maxError(afterA, afterPerturbed), 1e-6, "B after A vs after a perturbed A on " + backend().name());
            assertTrue(maxError(alone, afterA) < TOL, "B after A vs alone: " + maxError(alone, afterA) + " on " + backend().name());
            assertTrue(maxError(alone, afterC) < TOL, "B after C vs alone: " + maxError(alone, afterC) + " on " + backend().name());
        }
    }

    /** The logits (T, V) of record {@code i} of a packing. */
    private float[] recordLogits(Gpt model, Packed p, int i, int v) {
        float[] logits = model.logits(tensors().of(p.ids(), p.rows(), WIDTH), p.segmentIds()).toFloatArray();
        int from = (p.rowOf()[i] * WIDTH + p.startOf()[i]) * v;
        return Arrays.copyOfRange(logits, from, from + B.length * v);
    }

    private static double maxError(float[] a, float[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs((double) a[i] - b[i]));
        }
        return worst;
    }
}
