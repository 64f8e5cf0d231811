package dev.llmforge.tck;

import dev.llmforge.spi.Backend;
import dev.llmforge.spi.BackendProvider;
import dev.llmforge.spi.Capability;
import dev.llmforge.spi.FusedKernels;
import dev.llmforge.spi.FusedOp;
import dev.llmforge.spi.Kernels;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Set;
import java.util.ServiceLoader;
import java.util.function.Function;

/**
 * A deliberately broken backend for the kit's own tests: a private reference backend whose kernel
 * {@code method} is replaced by {@code override}, with chosen capabilities and fused kernels.
 */
final class MutantBackend implements Backend {
    /** Replacement for one kernel method, given the reference kernels and the call's arguments. */
    @FunctionalInterface
    interface Replacement {
        Object invoke(Kernels real, Object[] args);
    }

    private final String name;
    private final Backend base = freshReference();
    private final Set<Capability> capabilities;
    private final Kernels kernels;
    private final FusedKernels fused;
    private final Set<FusedOp> nativeFused;

    MutantBackend(String name, Set<Capability> capabilities, String method, Replacement override,
                  Function<Kernels, FusedKernels> fused, Set<FusedOp> nativeFused) {
        this.name = name;
        this.capabilities = capabilities;
        Kernels real = base.kernels();
        this.kernels = (Kernels) Proxy.newProxyInstance(Kernels.class.getClassLoader(), new Class<?>[] {Kernels.class},
                (proxy, m, args) -> {
                    if (m.getName().equals(method)) {
                        return override.invoke(real, args);
                    }
                    try {
                        return m.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        this.fused = fused.apply(kernels);
        this.nativeFused = nativeFused;
    }

    /** A correct backend (the reference kernels) with some capabilities left undeclared. */
    static MutantBackend withCapabilities(String name, Set<Capability> capabilities) {
        return new MutantBackend(name, capabilities, "none", (k, a) -> null, FusedKernels::new, Set.of());
    }

    /** One kernel replaced; every capability of the reference declared. */
    static MutantBackend withKernel(String name, String method, Replacement override) {
        return new MutantBackend(name, Set.of(Capability.F64, Capability.ZERO_SIZE), method, override, FusedKernels::new, Set.of());
    }

    /** Custom fused kernels declared native for {@code ops}. */
    static MutantBackend withFused(String name, Function<Kernels, FusedKernels> fused, Set<FusedOp> ops) {
        return new MutantBackend(name, Set.of(Capability.F64, Capability.ZERO_SIZE), "none", (k, a) -> null, fused, ops);
    }

    private static Backend freshReference() {
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            if (p.name().equals("reference")) {
                return p.create();
            }
        }
        throw new IllegalStateException("no reference provider");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Kernels kernels() {
        return kernels;
    }

    @Override
    public FusedKernels fused() {
        return fused;
    }

    @Override
    public Set<FusedOp> nativeFusedOps() {
        return nativeFused;
    }

    @Override
    public Set<Capability> capabilities() {
        return capabilities;
    }

    @Override
    public long liveTensorCount() {
        return base.liveTensorCount();
    }
}
