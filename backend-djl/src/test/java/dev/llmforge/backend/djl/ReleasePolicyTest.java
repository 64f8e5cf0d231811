package dev.llmforge.backend.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReleasePolicyTest {
    private static final long MIB = 1 << 20;
    private static final long SECOND = 1_000_000_000L;

    private long resident = 500 * MIB;
    private long now = 7 * SECOND;
    private int reads;
    private final ReleasePolicy policy = new ReleasePolicy(() -> {
        reads++;
        return resident;
    }, () -> now);

    /** One training step of {@code seconds} after which the process holds {@code residentMib}: whether it released. */
    private boolean step(double seconds, long residentMib) {
        now += (long) (seconds * SECOND);
        resident = residentMib * MIB;
        return policy.releaseDue();
    }

    @Test
    void aStableWorkingSetIsNeverGivenBack() {
        for (int i = 0; i < 200; i++) {
            assertFalse(step(1.1, 1200), "step " + i + ": the same resident size after every step");
        }
    }

    @Test
    void growthPastTheBaselineIsGivenBackOnceThenTheNextStepSetsANewBaseline() {
        assertFalse(step(1.1, 500)); // the baseline
        assertFalse(step(1.1, 510), "10 MiB of growth is under the 16 MiB threshold");
        assertTrue(step(1.1, 520), "20 MiB of growth");
        assertFalse(step(1.1, 505), "the first step after a release sets the baseline");
        assertFalse(step(1.1, 520), "15 MiB over the new baseline");
        assertTrue(step(1.1, 522));
    }

    @Test
    void theThresholdIsAThirtySecondOfALargeBaseline() {
        assertFalse(step(2, 3200)); // baseline 3200 MiB: threshold 100 MiB
        assertFalse(step(2, 3290));
        assertTrue(step(2, 3310));
    }

    @Test
    void atMostOneReleaseASecondAndNoReadingBeforeOneIsPossible() {
        for (int i = 0; i < 20; i++) {
            assertFalse(step(0.04, 400 + 100 * i), "short steps within the first second");
        }
        assertEquals(0, reads, "the resident size is read only when a release could be due");
        assertFalse(step(0.5, 400)); // baseline, 1.3 s after the start
        assertTrue(step(0.04, 600));
        assertFalse(step(0.04, 900), "within a second of the release");
    }

    @Test
    void aReleaseOnRequestAlsoStartsANewBaseline() {
        assertFalse(step(1.1, 500));
        policy.released();
        assertFalse(step(1.1, 700), "the first step after the release is the baseline, whatever it holds");
        assertFalse(step(1.1, 710));
    }
}
