package dev.llmforge.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.llmforge.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class VocabularyGrowthTest {
    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama"})
    void newRowsAreTheMeanOfTheOldOnesAndEverythingElseIsKept(String family) {
        GptConfig config = family.equals("gpt2") ? TinyModels.gpt2() : TinyModels.llama();
        int v = config.vocabSize();
        try (Gpt model = new Gpt(config, TinyModels.reference(), 7); Gpt grown = VocabularyGrowth.grow(model, v + 2)) {
            assertEquals(v + 2, grown.config().vocabSize());
            Map<String, Tensor> before = model.namedParameters();
            Map<String, Tensor> after = grown.namedParameters();
            assertEquals(before.keySet(), after.keySet());
            assertEquals(config.tieWeights(), !after.containsKey(VocabularyGrowth.HEAD));
            for (String name : before.keySet()) {
                float[] old = before.get(name).toFloatArray();
                float[] now = after.get(name).toFloatArray();
                if (name.equals(VocabularyGrowth.EMBEDDING) || name.equals(VocabularyGrowth.HEAD)) {
                    int c = before.get(name).dim(1);
                    assertArrayEquals(old, java.util.Arrays.copyOf(now, old.length), name + " old rows");
                    for (int j = 0; j < c; j++) {
                        double sum = 0;
                        for (int i = 0; i < v; i++) {
                            sum += old[i * c + j];
                        }
                        assertEquals(sum / v, now[v * c + j], 1e-6, name + " new row, column " + j);
                        assertEquals(now[v * c + j], now[(v + 1) * c + j], name + " both new rows");
                    }
                } else {
                    assertArrayEquals(old, now, name);
                }
            }
            // a new token's logit is the mean of the old logits (the head has no bias), the old logits are unchanged
            Tensor ids = TinyModels.ids(1, 3, 1, 2, 3);
            float[] oldLogits = model.logits(ids).toFloatArray();
            float[] newLogits = grown.logits(ids).toFloatArray();
            for (int t = 0; t < 3; t++) {
                double mean = 0;
                for (int i = 0; i < v; i++) {
                    assertEquals(oldLogits[t * v + i], newLogits[t * (v + 2) + i], 1e-5);
                    mean += oldLogits[t * v + i] / v;
                }
                assertEquals(mean, newLogits[t * (v + 2) + v], 1e-5);
            }
        }
    }

    @Test
    void refusesToShrink() {
        try (Gpt model = new Gpt(TinyModels.gpt2(), TinyModels.reference(), 7)) {
            assertThrows(IllegalArgumentException.class, () -> VocabularyGrowth.grow(model, 5));
        }
    }
}
