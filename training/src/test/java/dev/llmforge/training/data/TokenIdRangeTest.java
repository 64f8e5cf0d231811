package dev.llmforge.training.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Token ids at or above the vocabulary are found when the data is opened, with the file and the offset. */
class TokenIdRangeTest {
    @TempDir
    Path dir;

    private void copyMeta() throws Exception {
        Files.copy(Path.of(getClass().getResource("/nanogpt/meta.pkl").toURI()), dir.resolve(TokenData.NANOGPT_META));
    }

    private static int[] ids(int count, int badAt, int badId) {
        int[] ids = new int[count];
        Arrays.setAll(ids, i -> i % 65);
        if (badAt >= 0) {
            ids[badAt] = badId;
        }
        return ids;
    }

    @Test
    void anIdAtTheVocabularySizeIsReportedWithFileAndOffset() throws Exception {
        copyMeta();
        TokenDataset.write(dir.resolve(TokenData.TRAIN_FILE), ids(200_000, 123_457, 65), TokenWidth.UINT16);
        TokenDataset.write(dir.resolve(TokenData.VAL_FILE), ids(1000, -1, 0), TokenWidth.UINT16);
        IOException e = assertThrows(IOException.class, () -> TokenData.open(dir));
        String m = e.getMessage();
        assertTrue(m.contains(dir.resolve(TokenData.TRAIN_FILE).toString()), m);
        assertTrue(m.contains("id 65 at token 123,457 (byte offset 246,914)") && m.contains("vocabulary size 65"), m);
    }

    @Test
    void theValidationFileIsCheckedToo() throws Exception {
        copyMeta();
        TokenDataset.write(dir.resolve(TokenData.TRAIN_FILE), ids(1000, -1, 0), TokenWidth.UINT16);
        TokenDataset.write(dir.resolve(TokenData.VAL_FILE), ids(1000, 999, 65535), TokenWidth.UINT16);
        IOException e = assertThrows(IOException.class, () -> TokenData.open(dir));
        assertTrue(e.getMessage().contains(TokenData.VAL_FILE) && e.getMessage().contains("id 65535 at token 999"), e.getMessage());
    }

    @Test
    void uint32IdsWithTheTopBitSetAreOutOfRange() throws Exception {
        Path file = dir.resolve("wide.bin");
        Files.write(file, new byte[] {1, 0, 0, 0, 2, 0, 0, 0, -1, -1, -1, -1});
        IOException e = assertThrows(IOException.class, () -> TokenDataset.open(file, TokenWidth.UINT32).requireIdsBelow(100_000));
        assertTrue(e.getMessage().contains("id 4294967295 at token 2 (byte offset 8)"), e.getMessage());
    }

    @Test
    void inRangeDataOpens() throws Exception {
        copyMeta();
        TokenDataset.write(dir.resolve(TokenData.TRAIN_FILE), ids(1000, 999, 64), TokenWidth.UINT16);
        TokenDataset.write(dir.resolve(TokenData.VAL_FILE), ids(1000, -1, 0), TokenWidth.UINT16);
        assertEquals(1000, TokenData.open(dir).train().size());
    }
}
