package dev.llmforge.alignment.sft;

import dev.llmforge.nn.functional.F;
import dev.llmforge.training.data.Batch;
import dev.llmforge.training.data.BatchSource;
import dev.llmforge.training.data.PaddedRecordSource;
import java.util.Map;

/**
 * Next-token training pairs from padded records: a {@link PaddedRecordSource} batch of L positions (ids, loss mask,
 * attention mask or segment ids) becomes {@link Batch#IDS} and {@link Batch#ATTENTION_MASK} of positions 0..L-2 and
 * {@link Batch#TARGETS} where {@code targets[t]} is {@code ids[t+1]} if the loss covers that id, else
 * {@link F#IGNORE_INDEX}. Every decision is by position: a padding position is never a target and a real id equal to
 * the padding id (PAD == EOS) keeps its label. Packed batches keep their {@link Batch#SEGMENT_IDS} in place of the
 * attention mask, and a target never crosses records: the last token of a record predicts nothing (Hugging Face's
 * {@code DataCollatorWithFlattening} does the same with a separator label at each record's first token). The state is
 * the padded source's.
 */
public final class NextTokenRows implements BatchSource {
    private final PaddedRecordSource records;
    private final Map<String, Long> start;

    public NextTokenRows(PaddedRecordSource records) {
        this.records = records;
        this.start = records.state();
    }

    /** Back to the first batch (an evaluation source scores the same records at every evaluation). */
    public void rewind() {
        records.restore(start);
    }

    @Override
    public Batch next() {
        Batch padded = records.next();
        int b = padded.rows();
        int length = padded.shape(Batch.IDS)[1];
        int t = length - 1;
        if (t < 1) {
            throw new IllegalStateException("every record in a batch has a single token: nothing to predict");
        }
        long[] ids = padded.longs(Batch.IDS);
        long[] labelled = padded.longs(Batch.LOSS_MASK);
        boolean packed = padded.names().contains(Batch.SEGMENT_IDS);
        String realField = packed ? Batch.SEGMENT_IDS : Batch.ATTENTION_MASK;
        long[] real = padded.longs(realField); // 0 for padding; the record of each token when packed
        long[] inputs = new long[b * t];
        long[] inputReal = new long[b * t];
        long[] targets = new long[b * t];
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < t; i++) {
                int here = r * length + i;
                inputs[r * t + i] = ids[here];
                inputReal[r * t + i] = real[here];
                boolean sameRecord = !packed || real[here + 1] == real[here];
                targets[r * t + i] = labelled[here + 1] == 1 && sameRecord ? ids[here + 1] : F.IGNORE_INDEX;
            }
        }
        return Batch.builder(b).longs(Batch.IDS, inputs, b, t).longs(realField, inputReal, b, t)
                .longs(Batch.TARGETS, targets, b, t).tokens(padded.tokens()).build();
    }

    @Override
    public Map<String, Long> state() {
        return records.state();
    }

    @Override
    public void restore(Map<String, Long> state) {
        records.restore(state);
    }
}
