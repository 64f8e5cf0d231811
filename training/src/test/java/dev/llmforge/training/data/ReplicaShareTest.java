package dev.llmforge.training.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicaShareTest {
    private static List<PaddedRecordSource.Record> records() {
        List<PaddedRecordSource.Record> out = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            long[] ids = new long[1 + i % 4];
            Arrays.fill(ids, 100 + i);
            out.add(PaddedRecordSource.Record.allTargets(ids));
        }
        return out;
    }

    private static PaddedRecordSource source(int batch) {
        return PaddedRecordSource.builder(records()).batchSize(batch).shuffle(3).build();
    }

    @Test
    void theSharesOfEveryBatchAreTheGlobalBatchsRowsInRankOrderAndStayInStep() {
        PaddedRecordSource one = source(6);
        List<ReplicaShare> shares = List.of(ReplicaShare.of(source(6), 0, 3), ReplicaShare.of(source(6), 1, 3), ReplicaShare.of(source(6), 2, 3));
        for (int step = 0; step < 4; step++) { // crosses an epoch: 24 rows of 10 records
            Batch global = one.next();
            int t = global.shape(Batch.IDS)[1];
            for (int rank = 0; rank < 3; rank++) {
                Batch share = shares.get(rank).next();
                assertArrayEquals(new int[] {2, t}, share.shape(Batch.IDS));
                for (String field : global.names()) {
                    assertArrayEquals(Arrays.copyOfRange(global.longs(field), rank * 2 * t, (rank + 1) * 2 * t), share.longs(field),
                            "step " + step + ", rank " + rank + ", " + field);
                }
                assertEquals(global.tokens(), share.tokens(), "a share counts the global batch's tokens");
                assertEquals(one.state(), shares.get(rank).state());
            }
        }
    }

    @Test
    void aBatchThatDoesNotSplitEvenlyAndABadRankAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReplicaShare.of(source(5), 0, 2).next());
        assertEquals("a global batch has 5 rows, not a multiple of the 2 replicas: each replica takes an equal share of every batch's rows",
                e.getMessage());
        assertEquals("rank 2 is outside 2 replicas", assertThrows(IllegalArgumentException.class, () -> ReplicaShare.of(source(4), 2, 2)).getMessage());
    }
}
