package dev.llmforge.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.llmforge.training.data.Batch;
import dev.llmforge.training.data.BatchSampler;
import dev.llmforge.training.data.Rng;
import dev.llmforge.training.data.TokenDataset;
import dev.llmforge.training.data.TokenWidth;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicaBatchSamplerTest {
    @TempDir
    Path dir;

    private TokenDataset tokens() throws Exception {
        int[] ids = new int[500];
        Arrays.setAll(ids, i -> (i * 31 + 7) % 101);
        Path file = dir.resolve("train.bin");
        TokenDataset.write(file, ids, TokenWidth.UINT16);
        return TokenDataset.open(file, TokenWidth.UINT16);
    }

    @Test
    void theReplicasRowsTogetherAreTheBatchOneMachineDrawsAndTheirGeneratorsStayInStep() throws Exception {
        TokenDataset data = tokens();
        int replicas = 3;
        int batch = 6;
        int block = 5;
        BatchSampler oneMachine = new BatchSampler(data, batch, block, new Rng(99));
        ReplicaBatchSampler[] shares = new ReplicaBatchSampler[replicas];
        for (int r = 0; r < replicas; r++) {
            shares[r] = new ReplicaBatchSampler(data, batch, block, new Rng(99), r, replicas);
        }
        for (int draw = 0; draw < 4; draw++) {
            Batch whole = oneMachine.next();
            for (int r = 0; r < replicas; r++) {
                Batch mine = shares[r].next();
                assertEquals(2, mine.batchSize());
                assertEquals(block, mine.blockSize());
                int from = r * 2 * block;
                assertArrayEquals(Arrays.copyOfRange(whole.inputs(), from, from + 2 * block), mine.inputs(), "draw " + draw + ", rank " + r);
                assertArrayEquals(Arrays.copyOfRange(whole.targets(), from, from + 2 * block), mine.targets(), "draw " + draw + ", rank " + r);
                assertEquals(oneMachine.rng().state(), shares[r].rng().state(), "rank " + r + "'s generator after draw " + draw);
            }
        }
    }

    @Test
    void aBatchThatDoesNotSplitEvenlyIsRefusedNamingBothFlags() throws Exception {
        TokenDataset data = tokens();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ReplicaBatchSampler(data, 7, 5, new Rng(1), 0, 2));
        assertEquals("--batch-size 7 must be a positive multiple of --replicas 2: each replica takes an equal share of the global batch's rows",
                e.getMessage());
    }

    @Test
    void aDatasetShorterThanABlockIsRefused() throws Exception {
        TokenDataset data = tokens();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ReplicaBatchSampler(data, 2, 500, new Rng(1), 0, 2));
        assertEquals("dataset " + data.path() + " has 500 tokens: block size 500 needs a positive block size and at least block size + 1 tokens",
                e.getMessage());
    }
}
