package dev.llmforge.training.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WindowSourceShareTest {
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
        Rng oneMachineRng = new Rng(99);
        WindowSource oneMachine = new WindowSource(data, batch, block, oneMachineRng);
        WindowSource[] shares = new WindowSource[replicas];
        Rng[] shareRngs = new Rng[replicas];
        for (int r = 0; r < replicas; r++) {
            shareRngs[r] = new Rng(99);
            shares[r] = WindowSource.replicaShare(data, batch, block, shareRngs[r], r, replicas);
        }
        for (int draw = 0; draw < 4; draw++) {
            Batch whole = oneMachine.next();
            for (int r = 0; r < replicas; r++) {
                Batch mine = shares[r].next();
                assertArrayEquals(new int[] {2, block}, mine.shape(Batch.IDS));
                int from = r * 2 * block;
                assertArrayEquals(Arrays.copyOfRange(whole.longs(Batch.IDS), from, from + 2 * block), mine.longs(Batch.IDS),
                        "draw " + draw + ", rank " + r);
                assertArrayEquals(Arrays.copyOfRange(whole.longs(Batch.TARGETS), from, from + 2 * block), mine.longs(Batch.TARGETS),
                        "draw " + draw + ", rank " + r);
                assertEquals(oneMachineRng.state(), shareRngs[r].state(), "rank " + r + "'s generator after draw " + draw);
            }
        }
    }

    @Test
    void aBatchThatDoesNotSplitEvenlyIsRefusedNamingBothFlags() throws Exception {
        TokenDataset data = tokens();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WindowSource.replicaShare(data, 7, 5, new Rng(1), 0, 2));
        assertEquals("--batch-size 7 must be a positive multiple of --replicas 2: each replica takes an equal share of the global batch's rows",
                e.getMessage());
    }

    @Test
    void aDatasetShorterThanABlockIsRefused() throws Exception {
        TokenDataset data = tokens();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WindowSource.replicaShare(data, 2, 500, new Rng(1), 0, 2));
        assertEquals("dataset " + data.path() + " has 500 tokens, fewer than block size + 1 = 501", e.getMessage());
    }
}
