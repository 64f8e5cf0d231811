package dev.llmforge.tensor;

import dev.llmforge.spi.Backend;
import dev.llmforge.spi.FusedKernels;
import dev.llmforge.spi.Kernels;
import dev.llmforge.spi.NativeTensor;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The single path from core to a backend's kernels: wraps results into tensors, checks that the
 * backend returned what was asked for, and reports each kernel call to observers (profilers, the
 * conformance kit's fused-path check).
 */
public final class Dispatch {
    /** Sees every kernel call core makes. */
    @FunctionalInterface
    public interface Observer {
        void onKernel(String op, Backend backend, long nanos);
    }

    /** Undoes an {@link #observe} or {@link #capture} registration; closing twice is harmless. */
    @FunctionalInterface
    public interface Restore extends AutoCloseable {
        @Override
        void close();
    }

    private static final CopyOnWriteArrayList<Observer> OBSERVERS = new CopyOnWriteArrayList<>();
    private static volatile boolean observed;
    /** The kernels standing in for one backend's on this thread while a step is captured (dev.llmforge.capture). */
    private static final ThreadLocal<Redirect> CAPTURE = new ThreadLocal<>();

    private record Redirect(Backend backend, Kernels kernels, FusedKernels fused) {
    }

    private Dispatch() {
    }

    /** Registers an observer until the returned handle is closed. */
    public static Restore observe(Observer observer) {
        OBSERVERS.add(observer);
        observed = true;
        return () -> {
            OBSERVERS.remove(observer);
            observed = !OBSERVERS.isEmpty();
        };
    }

    /**
     * Until the returned handle is closed, core's calls to {@code backend}'s kernels on this thread go
     * to {@code kernels} and {@code fused} instead (used by {@code dev.llmforge.capture} to record a step).
     */
    public static Restore capture(Backend backend, Kernels kernels, FusedKernels fused) {
        if (CAPTURE.get() != null) {
            throw new IllegalStateException("a step is already being captured on this thread (captured steps do not nest)");
        }
        CAPTURE.set(new Redirect(backend, kernels, fused));
        return CAPTURE::remove;
    }

    /** True while a step is being captured on this thread: kernel calls are recorded, not run. */
    public static boolean isCapturing() {
        return CAPTURE.get() != null;
    }

    /** The primitives core calls for {@code backend} on this thread. */
    public static Kernels kernels(Backend backend) {
        Redirect r = CAPTURE.get();
        return r != null && r.backend() == backend ? r.kernels() : backend.kernels();
    }

    /** The fused pairs core calls for {@code backend} on this thread. */
    public static FusedKernels fused(Backend backend) {
        Redirect r = CAPTURE.get();
        return r != null && r.backend() == backend ? r.fused() : backend.fused();
    }

    /** Runs a kernel producing a tensor of the given shape and dtype, and wraps it. */
    public static Tensor create(String op, Backend backend, Shape shape, DType dtype, Function<Kernels, NativeTensor> kernel) {
        NativeTensor result = call(op, backend, () -> kernel.apply(kernels(backend)));
        check(op, backend, result, shape, dtype);
        return Tensor.fromNative(backend, result);
    }

    /** Runs any backend call, reporting it to observers. */
    public static <T> T call(String op, Backend backend, Supplier<T> call) {
        if (!observed) {
            return call.get();
        }
        long start = System.nanoTime();
        T result = call.get();
        long nanos = System.nanoTime() - start;
        for (Observer o : OBSERVERS) {
            o.onKernel(op, backend, nanos);
        }
        return result;
    }

    /** Wraps a handle a fused kernel returned after checking its shape and dtype. */
    public static Tensor wrap(String op, Backend backend, NativeTensor result, Shape shape, DType dtype) {
        check(op, backend, result, shape, dtype);
        return Tensor.fromNative(backend, result);
    }

    private static void check(String op, Backend backend, NativeTensor result, Shape shape, DType dtype) {
        if (result == null) {
            throw new IllegalStateException("backend " + backend.name() + ": kernel " + op + " returned null");
        }
        if (!result.shape().equals(shape) || result.dtype() != dtype) {
            Shape got = result.shape();
            DType gotType = result.dtype();
            result.close();
            throw new IllegalStateException("backend " + backend.name() + ": kernel " + op + " returned " + got + " " + gotType
                    + ", expected " + shape + " " + dtype);
        }
    }
}
