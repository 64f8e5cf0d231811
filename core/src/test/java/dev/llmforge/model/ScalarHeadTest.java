package dev.llmforge.model;

import static dev.llmforge.model.TinyModels.reference;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.io.CheckpointFormatException;
import dev.llmforge.io.ModuleWeights;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScalarHeadTest {
    private static final long EOS = 10;
    private final TensorFactory f = Tensor.on(reference());

    @Test
    void theScoreIsReadAtTheLastRealTokenWhateverThePaddingEvenWhenPadIsEos() {
        try (Gpt model = new Gpt(TinyModels.llama().toBuilder().initStd(0.3).build(), reference(), 3);
             ScalarHead head = ScalarHead.of(model, 4); TensorScope ignored = TensorScope.open()) {
            model.eval();
            // the sequence ends with EOS, and EOS also pads: only the mask tells the real EOS from padding
            long[] row = {2, 7, 1, EOS};
            double alone = head.atLastToken(model.hiddenStates(f.of(row, 1, 4), null), f.of(new float[] {1, 1, 1, 1}, 1, 4)).item();
            double lastPosition = head.forward(model.hiddenStates(f.of(row, 1, 4), null)).toFloatArray()[3];
            assertEquals(lastPosition, alone, 1e-6, "atLastToken of an unpadded row is its last position's value");

            Tensor right = f.of(new long[] {2, 7, 1, EOS, EOS, EOS, 5, 5, 5, 5, 5, 5}, 2, 6);
            Tensor rightMask = f.of(new float[] {1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1}, 2, 6);
            Tensor left = f.of(new long[] {EOS, EOS, 2, 7, 1, EOS, 3, 3, 3, 3, 3, 3}, 2, 6);
            Tensor leftMask = f.of(new float[] {0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 2, 6);
            float[] r = head.atLastToken(model.hiddenStates(right, rightMask), rightMask).toFloatArray();
            float[] l = head.atLastToken(model.hiddenStates(left, leftMask), leftMask).toFloatArray();
            assertEquals(alone, r[0], 1e-5, "right padding with PAD == EOS");
            assertEquals(alone, l[0], 1e-5, "left padding with PAD == EOS");
            assertEquals(Shape.of(2), head.atLastToken(model.hiddenStates(right, rightMask), rightMask).shape());
            assertEquals(Shape.of(2, 6), head.forward(model.hiddenStates(right, rightMask)).shape());
        }
    }

    @Test
    void theHeadIsSavedAndLoadedWithItsBias(@TempDir Path dir) throws Exception {
        try (ScalarHead head = new ScalarHead(8, 0.5, f, DType.F32, 1); ScalarHead loaded = new ScalarHead(8, 0.5, f, DType.F32, 2);
             TensorScope ignored = TensorScope.open()) {
            assertEquals(List.of("summary.weight", "summary.bias"), List.copyOf(head.namedParameters().keySet()));
            head.parameter("summary.bias").replaceWith(f.of(new float[] {0.75f}, 1)); // as after training
            Tensor hidden = f.randn(Shape.of(2, 3, 8), DType.F32, 9);
            float[] before = head.forward(hidden).toFloatArray();
            ModuleWeights.save(dir.resolve("value_head.safetensors"), head);
            assertNotEquals(before[0], loaded.forward(hidden).toFloatArray()[0]);
            ModuleWeights.load(dir.resolve("value_head.safetensors"), loaded);
            assertArrayEquals(new float[] {0.75f}, loaded.parameter("summary.bias").toFloatArray());
            assertArrayEquals(before, loaded.forward(hidden).toFloatArray(), 0f);
        }
    }

    @Test
    void weightsOfAnotherShapeAreRefusedNamingTheFile(@TempDir Path dir) throws Exception {
        try (ScalarHead wide = new ScalarHead(8, 0.5, f, DType.F32, 1); ScalarHead narrow = new ScalarHead(4, 0.5, f, DType.F32, 1)) {
            Path file = dir.resolve("head.safetensors");
            ModuleWeights.save(file, wide);
            var e = assertThrows(CheckpointFormatException.class, () -> ModuleWeights.load(file, narrow));
            assertTrue(e.getMessage().contains("head.safetensors") && e.getMessage().contains("'summary.weight' has shape [1, 8], expected [1, 4]"),
                    e.getMessage());
            var badInput = assertThrows(IllegalArgumentException.class, () -> narrow.forward(f.zeros(Shape.of(2, 4), DType.F32)));
            assertTrue(badInput.getMessage().contains("(B, T, C)"), badInput.getMessage());
        }
    }

    @Test
    void theHeadFollowsItsModelsWidthAndDtype() {
        try (Gpt model = new Gpt(TinyModels.gpt2(), reference(), 1); ScalarHead head = ScalarHead.of(model, 2)) {
            Map<String, Tensor> p = head.namedParameters();
            assertEquals(Shape.of(1, 8), p.get("summary.weight").shape());
            assertEquals(0, p.get("summary.bias").item(), "the bias starts at 0");
        }
    }
}
