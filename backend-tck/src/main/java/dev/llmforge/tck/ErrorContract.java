package dev.llmforge.tck;

import static dev.llmforge.tensor.DType.BOOL;
import static dev.llmforge.tensor.DType.F32;
import static dev.llmforge.tensor.DType.I32;
import static dev.llmforge.tensor.DType.I64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.llmforge.autograd.FusedOps;
import dev.llmforge.autograd.Ops;
import dev.llmforge.nn.functional.F;
import dev.llmforge.spi.Backend;
import dev.llmforge.spi.BackendProvider;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad input is rejected before it reaches a kernel, with an exception whose message names what
 * was expected and what was found (both shapes, or the bad index and the valid range), and the
 * rejected call loses nothing: no native tensor is left behind and the operands stay usable.
 */
public abstract class ErrorContract extends BackendContract {
    private TensorScope scope;

    @BeforeEach
    void openScope() {
        scope = TensorScope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    private Tensor t(int... dims) {
        return tensors().full(Shape.of(dims), 0.5, F32);
    }

    private Tensor t(DType dtype, int... dims) {
        return tensors().zeros(Shape.of(dims), dtype);
    }

    /** Expects {@code type} naming every fragment, and that the failed call left no native tensor behind. */
    private <T extends Throwable> void rejects(Class<T> type, Executable call, String... fragments) {
        long before = backend().liveTensorCount();
        T e = Expect.throwsNaming(type, call, fragments);
        assertEquals(before, backend().liveTensorCount(), "the rejected call left native tensors behind: " + e.getMessage());
    }

    // ---- shapes -------------------------------------------------------------------------------------------

    @Test
    void binaryShapeMismatchNamesBothShapes() {
        Tensor a = t(2, 3);
        Tensor b = t(4, 3);
        rejects(IllegalArgumentException.class, () -> a.add(b), "[2, 3]", "[4, 3]");
        rejects(IllegalArgumentException.class, () -> a.mul(b), "[2, 3]", "[4, 3]");
        rejects(IllegalArgumentException.class, () -> a.maximum(b), "[2, 3]", "[4, 3]");
        rejects(IllegalArgumentException.class, () -> a.lt(b), "[2, 3]", "[4, 3]");
        assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f}, a.toFloatArray(), "the operand is intact after the error");
    }

    @Test
    void matmulMismatchNamesBothShapes() {
        Tensor a = t(2, 3);
        Tensor b = t(4, 5);
        Tensor c = t(2, 5);
        rejects(IllegalArgumentException.class, () -> a.matmul(b), "[2, 3]", "[4, 5]");
        rejects(IllegalArgumentException.class, () -> a.matmul(c, false, true), "[2, 3]", "[2, 5]");
        Tensor batchA = t(2, 3, 4);
        Tensor batchB = t(3, 4, 5);
        rejects(IllegalArgumentException.class, () -> batchA.matmul(batchB), "[2, 3, 4]", "[3, 4, 5]");
        Tensor vector = t(3);
        Tensor matrix = t(3, 2);
        rejects(IllegalArgumentException.class, () -> vector.matmul(matrix), "[3]", "[3, 2]");
    }

    @Test
    void concatMismatchNamesBothShapes() {
        List<Tensor> differentWidths = List.of(t(2, 3), t(3, 4));
        rejects(IllegalArgumentException.class, () -> Ops.concat(differentWidths, 0), "[2, 3]", "[3, 4]");
        List<Tensor> differentRanks = List.of(t(2, 3), t(2, 3, 1));
        rejects(IllegalArgumentException.class, () -> Ops.concat(differentRanks, 0), "[2, 3]", "[2, 3, 1]");
    }

    @Test
    void whereMismatchNamesTheShapes() {
        Tensor cond = t(BOOL, 2, 3);
        Tensor tall = t(4, 3);
        Tensor same = t(2, 3);
        Tensor row = t(5);
        rejects(IllegalArgumentException.class, () -> cond.where(tall, tall), "[2, 3]", "[4, 3]");
        rejects(IllegalArgumentException.class, () -> cond.where(same, row), "[2, 3]", "[5]");
        rejects(IllegalArgumentException.class, () -> same.where(same, same), "BOOL", "F32");
    }

    @Test
    void reshapeAndExpandMismatchNameBothShapes() {
        Tensor x = t(2, 3);
        rejects(IllegalArgumentException.class, () -> x.reshape(4, 2), "[2, 3]", "[4, 2]");
        rejects(IllegalArgumentException.class, () -> x.expand(Shape.of(4, 3)), "[2, 3]", "[4, 3]");
    }

    @Test
    void indexOutOfRangeNamesTheIndexAndTheValidRange() {
        Tensor src = t(3, 2);
        Tensor three = tensors().of(new long[] {0, 3}, 2);
        rejects(IndexOutOfBoundsException.class, () -> src.gather(0, three), "3", "[0, 3)");
        Tensor negative = tensors().of(new int[] {-1}, 1);
        rejects(IndexOutOfBoundsException.class, () -> src.gather(1, negative), "-1", "[0, 2)");
        Tensor four = tensors().of(new long[] {1, 4}, 2);
        Tensor updates = t(2, 3);
        rejects(IndexOutOfBoundsException.class, () -> Ops.scatterAdd(Shape.of(4, 3), 0, four, updates), "4", "[0, 4)");
        Tensor floats = t(2);
        rejects(IllegalArgumentException.class, () -> src.gather(0, floats), "I32", "F32");
    }

    @Test
    void scatterAddUpdatesOfTheWrongShapeNameTheShapes() {
        Tensor indices = tensors().of(new long[] {0, 1, 1, 2, 3}, 5);
        Tensor updates = t(5, 2);
        rejects(IllegalArgumentException.class, () -> Ops.scatterAdd(Shape.of(4, 3), 0, indices, updates), "[5, 2]", "[5, 3]");
    }

    @Test
    void crossEntropyMismatchNamesBothShapes() {
        Tensor logits = t(2, 3, 5);
        Tensor wide = t(I64, 2, 4);
        Tensor flat = t(I64, 2);
        rejects(IllegalArgumentException.class, () -> F.crossEntropy(logits, wide), "[2, 3, 5]", "[2, 4]");
        rejects(IllegalArgumentException.class, () -> F.crossEntropy(logits, flat), "[2, 3, 5]", "[2]");
        Tensor rows = t(4, 5);
        Tensor three = t(I64, 3);
        rejects(IllegalArgumentException.class, () -> FusedOps.softmaxCrossEntropy(rows, three, -100), "[4, 5]", "[3]");
        Tensor pair = t(2, 5);
        Tensor seven = tensors().of(new long[] {1, 7}, 2);
        rejects(IndexOutOfBoundsException.class, () -> FusedOps.softmaxCrossEntropy(pair, seven, -100), "7", "[0, 5)");
    }

    @Test
    void layerNormParameterMismatchNamesBothShapes() {
        Tensor x = t(2, 5);
        Tensor four = t(4);
        Tensor column = t(5, 1);
        rejects(IllegalArgumentException.class, () -> F.layerNorm(x, four, null, 1e-5), "[2, 5]", "[4]");
        rejects(IllegalArgumentException.class, () -> F.layerNorm(x, null, column, 1e-5), "[2, 5]", "[5, 1]");
    }

    @Test
    void attentionMismatchNamesTheShapes() {
        Tensor q = t(1, 2, 3, 4);
        Tensor shortKeys = t(1, 2, 2, 4);
        rejects(IllegalArgumentException.class, () -> FusedOps.causalAttention(q, shortKeys, shortKeys, 0.5), "[1, 2, 3, 4]", "[1, 2, 2, 4]");
        Tensor wideKeys = t(1, 2, 3, 8);
        rejects(IllegalArgumentException.class, () -> FusedOps.causalAttention(q, wideKeys, wideKeys, 0.5), "[1, 2, 3, 4]", "[1, 2, 3, 8]");
        Tensor rank3 = t(2, 3, 4);
        rejects(IllegalArgumentException.class, () -> FusedOps.causalAttention(rank3, rank3, rank3, 0.5), "[2, 3, 4]");
    }

    // ---- dtypes, axes and arguments ------------------------------------------------------------------------------

    @Test
    void dtypeMismatchNamesBothDtypes() {
        Tensor floats = t(2);
        Tensor ints = t(I32, 2);
        rejects(IllegalArgumentException.class, () -> floats.add(ints), "F32", "I32");
        Tensor matrix = t(2, 2);
        Tensor longs = t(I64, 2, 2);
        rejects(IllegalArgumentException.class, () -> matrix.matmul(longs), "F32", "I64");
        rejects(IllegalArgumentException.class, ints::exp, "I32");
        rejects(IllegalArgumentException.class, () -> longs.requiresGrad(true), "I64");
    }

    @Test
    void badAxesAndRangesNameTheShape() {
        Tensor x = t(2, 3);
        rejects(IllegalArgumentException.class, () -> x.sum(new int[] {2}, false), "axis 2", "[2, 3]");
        rejects(IllegalArgumentException.class, () -> x.permute(0, 0), "[0, 0]", "[2, 3]");
        rejects(IllegalArgumentException.class, () -> x.permute(1, 0, 2), "[1, 0, 2]", "[2, 3]");
        rejects(IllegalArgumentException.class, () -> x.slice(0, 1, 5), "[1, 5)", "[2, 3]");
        rejects(IllegalArgumentException.class, () -> x.argmax(3, false), "axis 3", "[2, 3]");
    }

    @Test
    void badBuffersAndBackwardCallsSayWhatWasExpected() {
        rejects(IllegalArgumentException.class, () -> tensors().fromBuffer(ByteBuffer.allocate(20), Shape.of(2, 3), F32), "24", "20");
        rejects(IllegalArgumentException.class, () -> tensors().of(new float[] {1, 2, 3}, 2, 2), "[2, 2]", "3");
        Tensor x = t(2, 3).requiresGrad(true);
        Tensor square = x.mul(x);
        rejects(IllegalArgumentException.class, square::backward, "[2, 3]");
        Tensor wrongSeed = t(3, 2);
        rejects(IllegalArgumentException.class, () -> square.backward(wrongSeed), "[3, 2]", "[2, 3]");
    }

    // ---- backends and lifetimes -----------------------------------------------------------------------------------

    @Test
    void mixingBackendsIsRejected() {
        Backend other = otherBackend();
        Tensor mine = t(2);
        Tensor theirs = Tensor.on(other).full(Shape.of(2), 1, F32);
        rejects(IllegalArgumentException.class, () -> mine.add(theirs), "different backends", backend().name(), other.name());
        Tensor column = mine.reshape(2, 1);
        rejects(IllegalArgumentException.class, () -> theirs.reshape(1, 2).matmul(column), "different backends");
    }

    /** The reference backend, or (when it is the backend under test) a second, separate instance of it. */
    private Backend otherBackend() {
        if (reference() != backend()) {
            return reference();
        }
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            if (p.name().equals(REFERENCE)) {
                return p.create();
            }
        }
        throw new AssertionError("no reference provider on the class path");
    }

    @Test
    void useAfterCloseSaysClosed() {
        Tensor a = t(2);
        Tensor b = t(2);
        Tensor view = a.detach();
        a.close();
        rejects(IllegalStateException.class, () -> a.add(b), "closed");
        rejects(IllegalStateException.class, () -> b.add(a), "closed");
        rejects(IllegalStateException.class, a::toFloatArray, "closed");
        rejects(IllegalStateException.class, view::toFloatArray, "closed");
        Tensor fromScope;
        try (TensorScope inner = TensorScope.open()) {
            fromScope = t(2);
        }
        rejects(IllegalStateException.class, fromScope::exp, "closed");
        assertFalse(b.isClosed(), "the other operand is untouched");
    }
}
