package dev.llmforge.backend.djl;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Structure;
import dev.llmforge.spi.Backend;
import dev.llmforge.spi.FusedKernels;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Device;
import dev.llmforge.tensor.Shape;
import java.util.Arrays;

/**
 * Run by {@link RecordedBackwardNativeMemoryTest} in a JVM of its own: layer norms recorded for a backward and
 * differentiated once, in rounds of {@code args[0]} calls ({@code args[1]} rounds after one of warm-up), printing
 * how many bytes glibc's heap in use ({@code mallinfo2}) grew by per call in each round, or "no mallinfo2".
 */
public final class RecordedBackwardMemoryProbe {
    /** glibc's heap statistics (glibc 2.33 and later). */
    interface MallInfo2Library extends Library {
        MallInfo2.ByValue mallinfo2();
    }

    @Structure.FieldOrder({"arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost"})
    public static class MallInfo2 extends Structure {
        public long arena;
        public long ordblks;
        public long smblks;
        public long hblks;
        public long hblkhd;
        public long usmblks;
        public long fsmblks;
        public long uordblks;
        public long fordblks;
        public long keepcost;

        public static class ByValue extends MallInfo2 implements Structure.ByValue {
        }
    }

    private RecordedBackwardMemoryProbe() {
    }

    public static void main(String[] args) {
        int calls = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        MallInfo2Library glibc;
        try {
            glibc = Native.load("c", MallInfo2Library.class);
            glibc.mallinfo2();
        } catch (UnsatisfiedLinkError e) {
            System.out.println("no mallinfo2");
            return;
        }
        Backend djl = Backends.get("djl");
        NativeTensor x = djl.kernels().randomNormal(Shape.of(4, 16), DType.F32, Device.cpu(), 1);
        NativeTensor weight = djl.kernels().full(Shape.of(16), 1.5, DType.F32, Device.cpu());
        NativeTensor gradOut = djl.kernels().randomNormal(Shape.of(4, 16), DType.F32, Device.cpu(), 2);
        backwardPasses(djl.fused(), x, weight, gradOut, calls); // warm-up: compiled code, PyTorch's first-call caches
        double[] bytesPerCall = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long before = glibc.mallinfo2().uordblks;
            backwardPasses(djl.fused(), x, weight, gradOut, calls);
            bytesPerCall[r] = (double) (glibc.mallinfo2().uordblks - before) / calls;
        }
        System.out.println("bytesPerCall=" + Arrays.toString(bytesPerCall));
    }

    /** {@code calls} layer norms recorded for a backward, each differentiated once; every handle closed. */
    private static void backwardPasses(FusedKernels fused, NativeTensor x, NativeTensor weight, NativeTensor gradOut, int calls) {
        for (int i = 0; i < calls; i++) {
            FusedKernels.Result forward = fused.layerNorm(x, weight, null, 1e-5, true);
            for (NativeTensor g : fused.layerNormBackward(x, weight, null, 1e-5, forward, gradOut)) {
                if (g != null) {
                    g.close();
                }
            }
            forward.output().close();
            forward.saved().forEach(NativeTensor::close);
        }
    }
}
