package dev.llmforge.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import dev.llmforge.spi.Backend;
import dev.llmforge.spi.Capability;
import dev.llmforge.spi.FusedKernels;
import dev.llmforge.spi.FusedOp;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.tck.gradmode.GradModeReadingBackend;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Device;
import dev.llmforge.tensor.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * The kit can fail: each contract is run (through the JUnit launcher) against a backend broken in
 * one specific way, and must report exactly that breakage, while undeclared capabilities only skip.
 */
class KitSelfTest {

    // ---- broken backends --------------------------------------------------------------------------------------

    static final Backend UNSUPPORTED_ERF = MutantBackend.withKernel("mutant-unsupported-erf", "erf", (k, a) -> {
        throw new UnsupportedOperationException("erf is not available in this engine");
    });

    static final Backend SLOPPY_ERF = MutantBackend.withKernel("mutant-sloppy-erf", "erf", (k, a) -> {
        NativeTensor x = (NativeTensor) a[0];
        NativeTensor e = k.erf(x);
        NativeTensor factor = k.full(Shape.scalar(), 1 + 1e-4, x.dtype(), Device.cpu());
        NativeTensor r = k.mul(e, factor);
        e.close();
        factor.close();
        return r;
    });

    static final Backend LEAKY_TANH = MutantBackend.withKernel("mutant-leaky-tanh", "tanh", (k, a) -> {
        k.tanh((NativeTensor) a[0]); // a temporary never closed
        return k.tanh((NativeTensor) a[0]);
    });

    static final Backend LAST_ARGMAX = MutantBackend.withKernel("mutant-last-argmax", "argmax", (k, a) -> {
        NativeTensor x = (NativeTensor) a[0];
        int axis = (Integer) a[1];
        int n = x.shape().dim(axis);
        ByteBuffer reversed = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = n - 1; i >= 0; i--) {
            reversed.putLong(i);
        }
        reversed.flip();
        NativeTensor idx = k.fromBuffer(reversed, Shape.of(n), DType.I64, Device.cpu());
        NativeTensor flipped = k.gather(x, axis, idx);
        NativeTensor first = k.argmax(flipped, axis, (Boolean) a[2]);
        NativeTensor top = k.full(Shape.scalar(), n - 1, DType.I64, Device.cpu());
        NativeTensor last = k.sub(top, first);
        for (NativeTensor t : new NativeTensor[] {idx, flipped, first, top}) {
            t.close();
        }
        return last;
    });

    static final Backend SUM_RETURNS_INPUT = MutantBackend.withKernel("mutant-sum-returns-input", "sum",
            (k, a) -> ((int[]) a[1]).length == 0 ? a[0] : k.sum((NativeTensor) a[0], (int[]) a[1], (Boolean) a[2]));

    static final Backend HALF_NATIVE_GELU = MutantBackend.withFused("mutant-half-gelu", k -> new FusedKernels(k) {
        @Override
        public Result gelu(NativeTensor x, boolean tanhApproximation, boolean backwardFollows) {
            return super.gelu(x, tanhApproximation, backwardFollows);
        }
    }, Set.of(FusedOp.GELU));

    static final Backend WRONG_GELU_GRADIENT = MutantBackend.withFused("mutant-wrong-gelu-gradient", k -> new FusedKernels(k) {
        @Override
        public Result gelu(NativeTensor x, boolean tanhApproximation, boolean backwardFollows) {
            return super.gelu(x, tanhApproximation, backwardFollows);
        }

        @Override
        public NativeTensor geluBackward(NativeTensor x, boolean tanhApproximation, Result forward, NativeTensor gradOut) {
            NativeTensor g = super.geluBackward(x, tanhApproximation, forward, gradOut);
            NativeTensor factor = k.full(Shape.scalar(), 1.01, x.dtype(), Device.cpu());
            NativeTensor r = k.mul(g, factor);
            g.close();
            factor.close();
            return r;
        }
    }, Set.of(FusedOp.GELU));

    /** Correct kernels, but neither F64 nor zero-size tensors declared. */
    static final Backend MINIMAL = MutantBackend.withCapabilities("mutant-minimal", Set.of());

    // ---- the contracts bound to them (static nested: surefire does not run them directly) ------------------

    static class UnsupportedErfKernels extends KernelContract {
        @Override
        protected Backend backend() {
            return UNSUPPORTED_ERF;
        }
    }

    static class SloppyErfKernels extends KernelContract {
        @Override
        protected Backend backend() {
            return SLOPPY_ERF;
        }
    }

    static class LeakyTanhKernels extends KernelContract {
        @Override
        protected Backend backend() {
            return LEAKY_TANH;
        }
    }

    static class LeakyTanhScopes extends ScopeContract {
        @Override
        protected Backend backend() {
            return LEAKY_TANH;
        }
    }

    static class LastArgmaxKernels extends KernelContract {
        @Override
        protected Backend backend() {
            return LAST_ARGMAX;
        }
    }

    static class SumReturnsInputKernels extends KernelContract {
        @Override
        protected Backend backend() {
            return SUM_RETURNS_INPUT;
        }
    }

    static class HalfNativeGeluFused extends FusedOpContract {
        @Override
        protected Backend backend() {
            return HALF_NATIVE_GELU;
        }
    }

    static class WrongGeluGradientAutograd extends AutogradContract {
        @Override
        protected Backend backend() {
            return WRONG_GELU_GRADIENT;
        }
    }

    static class WrongGeluGradientFused extends FusedOpContract {
        @Override
        protected Backend backend() {
            return WRONG_GELU_GRADIENT;
        }
    }

    static class MinimalKernels extends KernelContract {
        @Override
        protected Backend backend() {
            return MINIMAL;
        }
    }

    static class MinimalAutograd extends AutogradContract {
        @Override
        protected Backend backend() {
            return MINIMAL;
        }
    }

    static class GradModeReadingDiscovery extends DiscoveryContract {
        private static final Backend BACKEND = new GradModeReadingBackend();

        @Override
        protected Backend backend() {
            return BACKEND;
        }

        @Override
        protected String expectedName() {
            return BACKEND.name();
        }
    }

    /** A test that skips itself with a plain assumption instead of a missing capability. */
    static class RogueAssumption extends BackendContract {
        @Override
        protected Backend backend() {
            return MINIMAL;
        }

        @Test
        void skipsForNoDeclaredReason() {
            Assumptions.assumeTrue(false, "the engine is slow today");
        }
    }

    // ---- running them -----------------------------------------------------------------------------------------------

    private static TestExecutionSummary run(Class<?> contract, String... methods) {
        List<DiscoverySelector> selectors = new ArrayList<>();
        if (methods.length == 0) {
            selectors.add(selectClass(contract));
        }
        for (String m : methods) {
            selectors.add(selectMethod(contract, m));
        }
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectors).build(), listener);
        return listener.getSummary();
    }

    private static List<String> failedTests(TestExecutionSummary s) {
        List<String> names = new ArrayList<>();
        s.getFailures().forEach(f -> names.add(f.getTestIdentifier().getDisplayName()));
        return names;
    }

    private static void everyFailure(TestExecutionSummary s, String nameStart, String messageFragment) {
        s.getFailures().forEach(f -> {
            assertTrue(f.getTestIdentifier().getDisplayName().startsWith(nameStart), "unexpected failure of " + f.getTestIdentifier().getDisplayName()
                    + ": " + f.getException());
            assertTrue(String.valueOf(f.getException().getMessage()).contains(messageFragment),
                    "failure of " + f.getTestIdentifier().getDisplayName() + " should say '" + messageFragment + "': " + f.getException().getMessage());
        });
    }

    // ---- the kit's verdicts ------------------------------------------------------------------------------------------

    @Test
    void undeclaredUnsupportedOperationFailsTheKit() {
        TestExecutionSummary s = run(UnsupportedErfKernels.class, "unaryOps");
        assertEquals(8, s.getTotalFailureCount(), "every erf case (2 dtypes x 4 shapes) fails: " + failedTests(s));
        everyFailure(s, "erf", "declare the missing dev.llmforge.spi.Capability");
        assertEquals(0, s.getTestsAbortedCount(), "an undeclared UnsupportedOperationException must not turn into a skip");
    }

    @Test
    void undeclaredCapabilitiesSkipInsteadOfFailing() {
        TestExecutionSummary kernels = run(MinimalKernels.class, "unaryOps", "matmul", "bufferRoundTrips");
        assertEquals(0, kernels.getTotalFailureCount(), () -> "failures: " + failedTests(kernels));
        assertTrue(kernels.getTestsAbortedCount() > 0 && kernels.getTestsSucceededCount() > 0,
                "F64 and zero-size cases are skipped, the rest run: " + kernels.getTestsAbortedCount() + " skipped, "
                        + kernels.getTestsSucceededCount() + " passed");
        TestExecutionSummary autograd = run(MinimalAutograd.class);
        assertEquals(0, autograd.getTotalFailureCount(), () -> "without F64 the gradient checks run in F32 and pass: " + failedTests(autograd));
        assertEquals(2, autograd.getTestsAbortedCount(), "only the two F32<->F64 cast checks need F64");
    }

    @Test
    void aPlainAssumptionCannotSkipAContract() {
        TestExecutionSummary s = run(RogueAssumption.class);
        assertEquals(1, s.getTotalFailureCount());
        everyFailure(s, "skipsForNoDeclaredReason", "may be skipped only because the backend lacks a declared Capability");
    }

    @Test
    void inaccurateKernelFailsNamingTheWorstElement() {
        TestExecutionSummary s = run(SloppyErfKernels.class, "unaryOps");
        assertEquals(6, s.getTotalFailureCount(), "erf with a 1e-4 relative error fails in F32 and F64 on every non-empty shape: " + failedTests(s));
        everyFailure(s, "erf", "worst at");
    }

    @Test
    void leakedTemporariesAreCaught() {
        TestExecutionSummary kernels = run(LeakyTanhKernels.class, "unaryOps");
        assertEquals(8, kernels.getTotalFailureCount(), "every tanh case leaks: " + failedTests(kernels));
        everyFailure(kernels, "tanh", "alive per call");
        TestExecutionSummary scopes = run(LeakyTanhScopes.class, "tenThousandForwardBackwardStepsLeaveTheLiveCountUnchanged");
        assertEquals(1, scopes.getTotalFailureCount(), "the 10,000-step loop (which uses tanh) sees the leak");
    }

    @Test
    void lastInsteadOfFirstArgmaxIsCaught() {
        TestExecutionSummary known = run(LastArgmaxKernels.class, "argmaxReturnsTheFirstOfTiedMaxima");
        assertEquals(1, known.getTotalFailureCount());
        TestExecutionSummary compared = run(LastArgmaxKernels.class, "argmax");
        assertTrue(compared.getTotalFailureCount() > 0, "the comparison with the reference sees the tie-breaking");
        everyFailure(compared, "argmax", "differ");
    }

    @Test
    void aKernelReturningItsInputHandleIsCaught() {
        TestExecutionSummary s = run(SumReturnsInputKernels.class, "sums");
        assertTrue(s.getTotalFailureCount() > 0, "sum over no axes returning its input");
        everyFailure(s, "sum", "returned its input handle");
    }

    @Test
    void aFusedForwardWithoutItsBackwardIsCaught() {
        TestExecutionSummary s = run(HalfNativeGeluFused.class, "nativeFusedOpsOverrideBothMethodsOfTheirPair");
        assertEquals(1, s.getTotalFailureCount());
        everyFailure(s, "nativeFusedOpsOverrideBothMethodsOfTheirPair", "does not override [geluBackward]");
    }

    @Test
    void aWrongFusedGradientIsCaughtByFiniteDifferencesAndByItsDefinition() {
        TestExecutionSummary fd = run(WrongGeluGradientAutograd.class, "fusedGradientsMatchFiniteDifferences");
        assertEquals(2, fd.getTotalFailureCount(), "both gelu variants: " + failedTests(fd));
        everyFailure(fd, "gelu", "vs central differences");
        TestExecutionSummary definition = run(WrongGeluGradientFused.class, "fusedOpsMatchTheirDefinitionInPrimitives", "fusedOpsMatchTheReference");
        assertEquals(8, definition.getTotalFailureCount(), "both gelu variants in F32 and F64, against primitives and the reference: "
                + failedTests(definition));
        everyFailure(definition, "gelu", "gradient of input 0");
    }

    @Test
    void aBackendReadingCoreStateBeyondTheSpiIsCaught() {
        TestExecutionSummary s = run(GradModeReadingDiscovery.class, "backendUsesCoreOnlyThroughTheSpi");
        assertEquals(1, s.getTotalFailureCount());
        everyFailure(s, "backendUsesCoreOnlyThroughTheSpi", "GradModeReadingBackend");
        everyFailure(s, "backendUsesCoreOnlyThroughTheSpi", "dev.llmforge.autograd");
    }

    // ---- the policy itself ------------------------------------------------------------------------------------------

    @Test
    void policyTranslatesFailures() {
        Throwable nested = CapabilityPolicy.translate(new IllegalStateException("wrapped", new UnsupportedOperationException("no erf")), "x");
        assertInstanceOf(AssertionFailedError.class, nested);
        assertTrue(nested.getMessage().contains("backend x threw UnsupportedOperationException (no erf)"), nested.getMessage());
        MissingCapability skip = new MissingCapability("x", Capability.F64);
        assertSame(skip, CapabilityPolicy.translate(skip, "x"));
        assertInstanceOf(AssertionFailedError.class, CapabilityPolicy.translate(new TestAbortedException("why"), "x"));
        AssertionError plain = new AssertionError("values differ");
        assertSame(plain, CapabilityPolicy.translate(plain, "x"));
    }
}
