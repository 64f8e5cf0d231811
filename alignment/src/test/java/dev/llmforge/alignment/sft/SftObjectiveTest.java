package dev.llmforge.alignment.sft;

import static dev.llmforge.alignment.sft.NextTokenRowsTest.EOT;
import static dev.llmforge.alignment.sft.NextTokenRowsTest.TOKENIZER;
import static dev.llmforge.alignment.sft.NextTokenRowsTest.record;
import static dev.llmforge.alignment.sft.NextTokenRowsTest.row;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmforge.alignment.data.LossOn;
import dev.llmforge.alignment.data.SftEncoder;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import dev.llmforge.tokenizer.chat.ChatTemplate;
import dev.llmforge.training.data.Batch;
import dev.llmforge.training.data.PaddedRecordSource;
import dev.llmforge.training.data.PaddedRecordSource.Record;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The masked loss: by position, normalised over the batch's labelled tokens, unchanged by padding and companions. */
class SftObjectiveTest {
    static final Backend REFERENCE = Backends.get("reference");
    static final TensorFactory TENSORS = Tensor.on(REFERENCE);
    static final SftEncoder ENCODER = new SftEncoder(ChatTemplate.qa(), TOKENIZER, 33, LossOn.ASSISTANT);

    Gpt model;
    Record a;
    Record b;
    TensorScope scope;

    @BeforeEach
    void setUp() {
        model = new Gpt(GptConfig.gpt2(TOKENIZER.vocabSize(), 32, 2, 2, 16), REFERENCE, 11);
        model.eval();
        a = row(ENCODER.encode(record("hi?", "yo")));
        b = row(ENCODER.encode(record("who are you?", "a cat who is loud")));
        scope = TensorScope.open();
    }

    @AfterEach
    void tearDown() {
        scope.close();
        model.close();
    }

    private double loss(List<Record> records, int length) {
        PaddedRecordSource.Builder source = PaddedRecordSource.builder(records).batchSize(records.size()).padId(EOT);
        if (length > 0) {
            source.length(length);
        }
        Batch batch = new NextTokenRows(source.build()).next();
        return new SftObjective(model, List.of(), null).compute(batch.upload(TENSORS)).value().item();
    }

    /** −log softmax(logits)[target] summed over the labelled positions of one record, computed here from its logits. */
    private double[] sumAndCount(Record r) {
        long[] ids = r.ids();
        boolean[] labelled = r.lossMask();
        int t = ids.length - 1;
        long[] inputs = java.util.Arrays.copyOf(ids, t);
        float[] logits = model.logits(TENSORS.of(inputs, 1, t)).toFloatArray(); // (1, T, V)
        int v = TOKENIZER.vocabSize();
        double sum = 0;
        int count = 0;
        for (int i = 0; i < t; i++) {
            if (!labelled[i + 1]) {
                continue;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < v; j++) {
                max = Math.max(max, logits[i * v + j]);
            }
            double z = 0;
            for (int j = 0; j < v; j++) {
                z += Math.exp(logits[i * v + j] - max);
            }
            sum += -(logits[i * v + (int) ids[i + 1]] - max - Math.log(z));
            count++;
        }
        return new double[] {sum, count};
    }

    @Test
    void theLossIsTheMeanOverEveryLabelledTokenOfTheBatch() {
        double[] sa = sumAndCount(a);
        double[] sb = sumAndCount(b);
        assertEquals(4, sa[1], "' yo' and the end of text");
        assertEquals(17, sb[1], "\" a cat who is loud<eot>\" cut to its first 17 (33 ids: the prompt keeps half, 16)");
        assertEquals(sa[0] / sa[1], loss(List.of(a), 0), 1e-5);
        assertEquals((sa[0] + sb[0]) / (sa[1] + sb[1]), loss(List.of(a, b), 0), 1e-5, "TRL's normalisation: tokens, not records");
    }

    @Test
    void aRecordsLossDoesNotDependOnPaddingOrCompanions() {
        double alone = loss(List.of(a), 0);
        assertEquals(alone, loss(List.of(a), 20), 1e-5, "padded to 20 positions");
        assertEquals(alone, loss(List.of(a), 33), 1e-5, "padded to the context");
        double na = sumAndCount(a)[1];
        double[] sb = sumAndCount(b);
        double pair = loss(List.of(a, b), 0);
        double pairPadded = loss(List.of(b, a), 33);
        assertEquals(pair, pairPadded, 1e-5, "order and padding of the batch");
        // a's share of the pair's loss is what it has alone
        assertEquals(alone * na, pair * (na + sb[1]) - sb[0], 1e-4);
    }

    /** The loss of {@code records} packed, in order, into rows of the context + 1 positions. */
    private double packedLoss(int rows, List<Record> records) {
        PaddedRecordSource source = PaddedRecordSource.builder(records).batchSize(rows).length(33).padId(EOT).packing(true).build();
        Batch batch = new NextTokenRows(source).next();
        long[] segments = batch.longs(Batch.SEGMENT_IDS);
        assertEquals(records.size() / rows, java.util.Arrays.stream(segments).max().orElseThrow(), "records a row: " + records.size() / rows);
        return new SftObjective(model, List.of(), null).compute(batch.upload(TENSORS)).value().item();
    }

    /** The record's tokens with no target: a companion that adds nothing to the loss. */
    private static Record untrained(Record r) {
        return new Record(r.ids(), new boolean[r.length()]);
    }

    @Test
    void packedRecordsHaveTheLossTheyHaveAlone() {
        Record c = row(ENCODER.encode(record("who?", "a cat")));
        double[] sa = sumAndCount(a);
        double[] sc = sumAndCount(c);
        assertEquals((sa[0] + sc[0]) / (sa[1] + sc[1]), packedLoss(1, List.of(a, c)), 1e-5, "a and c in one row");
        assertEquals(loss(List.of(a, c), 0), packedLoss(1, List.of(c, a)), 1e-5, "packed in either order = padded");
        // a record's loss does not change with what it is packed with
        Record d = row(ENCODER.encode(record("you?", "no")));
        assertEquals(sa[0] / sa[1], packedLoss(1, List.of(untrained(c), a)), 1e-5, "a after c");
        assertEquals(sa[0] / sa[1], packedLoss(1, List.of(untrained(d), a)), 1e-5, "a after d");
        assertEquals(sa[0] / sa[1], packedLoss(2, List.of(untrained(d), a, untrained(c), untrained(a))), 1e-5, "a in a batch of two rows");
    }

    @Test
    void aHandComputedLossOnAUniformModel() {
        // every logit equal: each labelled token costs log V exactly, whatever the masks
        model.parameter("wte.weight").replaceWith(TENSORS.zeros(model.parameter("wte.weight").shape(), model.parameter("wte.weight").dtype()));
        assertEquals(Math.log(TOKENIZER.vocabSize()), loss(List.of(a, b), 33), 1e-6);
    }
}
