package dev.llmforge.tck;

import java.lang.reflect.Method;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.extension.DynamicTestInvocationContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * Enforces the kit's skipping rule on every test, parameterised test, test factory and dynamic
 * test of a contract: an {@link UnsupportedOperationException} anywhere in a failure's causes fails
 * the test with a message telling the backend to declare the capability it lacks, and a test may
 * be skipped only by {@link BackendContract#requireCapability} (any other aborted assumption fails).
 */
public final class CapabilityPolicy implements InvocationInterceptor {

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
                                    ExtensionContext context) throws Throwable {
        guard(invocation, context);
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
                                            ExtensionContext context) throws Throwable {
        guard(invocation, context);
    }

    @Override
    public <T> T interceptTestFactoryMethod(Invocation<T> invocation, ReflectiveInvocationContext<Method> call,
                                            ExtensionContext context) throws Throwable {
        return guard(invocation, context);
    }

    @Override
    public void interceptDynamicTest(Invocation<Void> invocation, DynamicTestInvocationContext call,
                                     ExtensionContext context) throws Throwable {
        guard(invocation, context);
    }

    private static <T> T guard(Invocation<T> invocation, ExtensionContext context) throws Throwable {
        try {
            return invocation.proceed();
        } catch (Throwable t) {
            throw translate(t, backendName(context));
        }
    }

    /** What a test's failure becomes under the policy. */
    static Throwable translate(Throwable failure, String backend) {
        if (failure instanceof MissingCapability) {
            return failure;
        }
        Optional<UnsupportedOperationException> unsupported = findUnsupported(failure);
        if (unsupported.isPresent()) {
            return new AssertionFailedError("backend " + backend + " threw UnsupportedOperationException ("
                    + unsupported.get().getMessage() + "). A backend may not leave an operation unimplemented: "
                    + "implement it, or declare the missing dev.llmforge.spi.Capability so the kit skips the tests that need it",
                    failure);
        }
        if (failure instanceof TestAbortedException) {
            return new AssertionFailedError("a conformance test may be skipped only because the backend lacks a declared "
                    + "Capability (BackendContract.requireCapability), but it was aborted: " + failure.getMessage(), failure);
        }
        return failure;
    }

    private static Optional<UnsupportedOperationException> findUnsupported(Throwable t) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        return search(t, seen);
    }

    private static Optional<UnsupportedOperationException> search(Throwable t, Set<Throwable> seen) {
        if (t == null || !seen.add(t)) {
            return Optional.empty();
        }
        if (t instanceof UnsupportedOperationException u) {
            return Optional.of(u);
        }
        for (Throwable s : t.getSuppressed()) {
            Optional<UnsupportedOperationException> found = search(s, seen);
            if (found.isPresent()) {
                return found;
            }
        }
        return search(t.getCause(), seen);
    }

    private static String backendName(ExtensionContext context) {
        try {
            Optional<Object> instance = context.getTestInstance();
            if (instance.isPresent() && instance.get() instanceof BackendContract contract) {
                return contract.backend().name();
            }
        } catch (RuntimeException | LinkageError e) {
            return "under test (its name is unavailable: " + e + ")";
        }
        return "under test";
    }
}
