package dev.llmforge.autograd;

/** Per-thread switch for gradient recording. */
public final class GradMode {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private GradMode() {
    }

    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /** Disables recording until the returned handle is closed: {@code try (var g = GradMode.noGrad()) {...}}. */
    public static Restore noGrad() {
        return set(false);
    }

    /** Re-enables recording (inside a noGrad block) until the returned handle is closed. */
    public static Restore enableGrad() {
        return set(true);
    }

    private static Restore set(boolean value) {
        boolean[] flag = ENABLED.get();
        boolean previous = flag[0];
        flag[0] = value;
        return () -> flag[0] = previous;
    }

    /** Restores the previous mode; closing twice is harmless. */
    @FunctionalInterface
    public interface Restore extends AutoCloseable {
        @Override
        void close();
    }
}
