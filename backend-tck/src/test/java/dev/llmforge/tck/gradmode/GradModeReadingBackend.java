package dev.llmforge.tck.gradmode;

import dev.llmforge.autograd.GradMode;
import dev.llmforge.spi.Backend;
import dev.llmforge.spi.Capability;
import dev.llmforge.spi.FusedKernels;
import dev.llmforge.spi.Kernels;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.tensor.Backends;
import java.util.Set;

/**
 * The reference backend with a GELU that decides by reading core's grad mode instead of the flag
 * the SPI passes: correct numbers, but a backend reaching past the SPI, which the kit must report.
 * In a package of its own, so that the kit's check reads only this class.
 */
public final class GradModeReadingBackend implements Backend {
    private final Backend reference = Backends.get("reference");

    @Override
    public String name() {
        return "mutant-reads-grad-mode";
    }

    @Override
    public Kernels kernels() {
        return reference.kernels();
    }

    @Override
    public FusedKernels fused() {
        return new FusedKernels(kernels()) {
            @Override
            public Result gelu(NativeTensor x, boolean tanhApproximation, boolean backwardFollows) {
                return super.gelu(x, tanhApproximation, GradMode.isEnabled());
            }
        };
    }

    @Override
    public Set<Capability> capabilities() {
        return reference.capabilities();
    }

    @Override
    public long liveTensorCount() {
        return reference.liveTensorCount();
    }
}
