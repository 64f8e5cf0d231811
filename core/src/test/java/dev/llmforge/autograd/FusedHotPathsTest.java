package dev.llmforge.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.llmforge.internal.reference.ReferenceBackend;
import dev.llmforge.nn.functional.F;
import dev.llmforge.spi.Backend;
import dev.llmforge.spi.Capability;
import dev.llmforge.spi.Kernels;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import java.lang.reflect.Proxy;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The lifetime of a fused forward's saved results, host-known index ranges, and the packed q/k/v attention. */
class FusedHotPathsTest {
    private final ReferenceBackend backend = new ReferenceBackend();
    private final TensorFactory t = Tensor.on(backend);

    @Test
    void savedResultsOfAFusedForwardAreFreedWithItsOutputOutsideAnyScope() {
        Tensor x = t.of(new double[] {1, 2, 4, -1, 0, 3}, 2, 3).requiresGrad(true);
        Tensor w = t.of(new double[] {1, 2, 3}, 3).requiresGrad(true);
        long before = backend.liveTensorCount();
        Tensor y = F.layerNorm(x, w, null, 1e-5); // no scope: the caller owns y, and what its backward needs lives with it
        y.close();
        assertEquals(before, backend.liveTensorCount(), "closing the output frees the forward's saved results");
        x.close();
        w.close();
    }

    @Test
    void aKeptFusedOutputKeepsWhatItsBackwardNeeds() {
        Tensor x = t.of(new double[] {1, 2, 4, -1, 0, 3}, 2, 3).requiresGrad(true);
        Tensor y;
        try (TensorScope scope = TensorScope.open()) {
            y = scope.keep(F.layerNorm(x, null, null, 1e-5));
        }
        double[] kept;
        try (TensorScope ignored = TensorScope.open()) {
            y.mul(y).sum().backward();
            kept = x.grad().toDoubleArray();
        }
        x.zeroGrad();
        try (TensorScope ignored = TensorScope.open()) {
            Tensor fresh = F.layerNorm(x, null, null, 1e-5);
            fresh.mul(fresh).sum().backward();
        }
        assertArrayEquals(x.grad().toDoubleArray(), kept, 1e-12, "backward through a kept output after its scope closed");
        y.close();
        x.close();
    }

    @Test
    void indexChecksOfHostUploadsNeedNoDeviceRead() {
        AtomicInteger reads = new AtomicInteger();
        Backend counting = countingReads(reads);
        TensorFactory c = Tensor.on(counting);
        try (TensorScope ignored = TensorScope.open()) {
            Tensor table = c.of(new double[] {1, 2, 3, 4, 5, 6}, 3, 2);
            Tensor ids = c.of(new long[] {2, 0, 1, 2}, 2, 2);
            assertArrayEquals(new double[] {5, 6, 1, 2, 3, 4, 5, 6}, table.gather(0, ids).toDoubleArray(), 0);
            reads.set(0);
            table.gather(0, ids);
            F.crossEntropy(c.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2}, 2, 2, 3), ids);
            assertEquals(0, reads.get(), "ids uploaded from the host (and their reshape) are checked without reading the device");

            Tensor computed = table.argmax(1, false); // values on the device only: the check reads them
            table.gather(0, computed);
            assertEquals(1, reads.get(), "indices computed on the device are read once for the check");
            Tensor outOfRange = c.of(new int[] {0, 3}, 2);
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> table.gather(0, outOfRange));
            assertEquals("gather: index 3 is out of range [0, 3) for axis 0 of shape [3, 2]", e.getMessage());
            Tensor ignoredTarget = c.of(new long[] {F.IGNORE_INDEX, 1}, 2);
            reads.set(0);
            F.crossEntropy(c.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3), ignoredTarget);
            assertEquals(1, reads.get(), "targets with the ignore index are outside [0, classes): read and checked one by one");
        }
    }

    @Test
    void replacingTheValuesOfAnUploadForgetsItsKnownRange() {
        try (TensorScope ignored = TensorScope.open()) {
            Tensor table = t.of(new double[] {1, 2, 3, 4, 5, 6}, 3, 2);
            Tensor ids = t.of(new long[] {0, 1}, 2);
            ids.replaceWith(t.of(new long[] {2, 0}, 2).add(t.of(new long[] {5, 0}, 2))); // [7, 0], computed on the device
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> table.gather(0, ids));
            assertEquals("gather: index 7 is out of range [0, 3) for axis 0 of shape [3, 2]", e.getMessage(),
                    "core's check ran: the stale range [0, 1] did not skip it");
        }
    }

    @Test
    void packedAttentionEqualsAttentionOnTheSlicesOfTheProjection() {
        int b = 2;
        int time = 3;
        int heads = 2;
        int d = 2;
        double[] values = new double[b * time * 3 * heads * d];
        double[] weights = new double[b * heads * time * d];
        for (int i = 0; i < values.length; i++) {
            values[i] = Math.sin(1.7 * i + 0.3);
        }
        for (int i = 0; i < weights.length; i++) {
            weights[i] = Math.cos(0.9 * i);
        }
        Tensor qkv = t.of(values, b * time, 3 * heads * d).requiresGrad(true);
        double[] packedOut;
        double[] packedGrad;
        double[] slicedOut;
        try (TensorScope ignored = TensorScope.open()) {
            Tensor w = t.of(weights, b, heads, time, d);
            Tensor y = F.causalAttentionPacked(qkv, b, heads);
            y.mul(w).sum().backward();
            packedOut = y.toDoubleArray();
            packedGrad = qkv.grad().toDoubleArray();
        }
        qkv.zeroGrad();
        try (TensorScope ignored = TensorScope.open()) {
            Tensor w = t.of(weights, b, heads, time, d);
            Tensor split = qkv.reshape(b, time, 3 * heads, d).permute(0, 2, 1, 3);
            Tensor y = F.causalAttention(split.slice(1, 0, heads), split.slice(1, heads, 2 * heads), split.slice(1, 2 * heads, 3 * heads), 0, 0);
            y.mul(w).sum().backward();
            slicedOut = y.toDoubleArray();
        }
        assertArrayEquals(slicedOut, packedOut, 1e-12, "output");
        assertArrayEquals(qkv.grad().toDoubleArray(), packedGrad, 1e-12, "gradient of qkv");
        assertEquals(Shape.of(b * time, 3 * heads * d), qkv.grad().shape());
        qkv.close();
        assertThrows(IllegalArgumentException.class, () -> F.causalAttentionPacked(t.zeros(Shape.of(6, 10), DType.F64), 2, 2),
                "a width that is not 3·H·D");
    }

    /** The reference backend, counting device-to-host reads. */
    private static Backend countingReads(AtomicInteger reads) {
        ReferenceBackend reference = new ReferenceBackend();
        Kernels kernels = (Kernels) Proxy.newProxyInstance(Kernels.class.getClassLoader(), new Class<?>[] {Kernels.class}, (proxy, method, args) -> {
            if (method.getName().equals("toBuffer")) {
                reads.incrementAndGet();
            }
            try {
                return method.invoke(reference.kernels(), args);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
            }
        });
        return new Backend() {
            @Override
            public String name() {
                return "counting-reference";
            }

            @Override
            public Kernels kernels() {
                return kernels;
            }

            @Override
            public Set<Capability> capabilities() {
                return reference.capabilities();
            }

            @Override
            public long liveTensorCount() {
                return reference.liveTensorCount();
            }
        };
    }
}
