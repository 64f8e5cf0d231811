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

    /** The steps before the baseline is read: the working set still growing, nothing released. */
    private void settle(double seconds, long fromMib, long stepMib) {
        for (int i = 1; i < ReleasePolicy.SETTLE_STEPS; i++) {
            assertFalse(step(seconds, fromMib + i * stepMib), "settling step " + i);
        }
    }

    @Test
    void aStableWorkingSetIsNeverGivenBack() {
        for (int i = 0; i < 200; i++) {
            assertFalse(step(1.1, 1200), "step " + i + ": the same resident size after every step");
        }
    }

    @Test
    void theFirstStepsMayGrowFreely() {
        settle(1.1, 500, 100); // optimiser state, the heap's first layouts: 400 MiB of growth
        assertFalse(step(1.1, 900), "the baseline");
        assertFalse(step(1.1, 910));
    }

    @Test
    void growthPastTheBaselineIsGivenBackOnceThenANewBaselineSettles() {
        settle(1.1, 500, 0);
        assertFalse(step(1.1, 500)); // the baseline
        assertFalse(step(1.1, 510), "10 MiB of growth is under the 16 MiB threshold");
        assertTrue(step(1.1, 520), "20 MiB of growth");
        settle(1.1, 480, 5);
        assertFalse(step(1.1, 505), "the new baseline");
        assertFalse(step(1.1, 520), "15 MiB over the new baseline");
        assertTrue(step(1.1, 522));
    }

    @Test
    void theThresholdIsAThirtySecondOfALargeBaseline() {
        settle(2, 3200, 0);
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
        for (int i = 0; i < 20; i++) {
            assertFalse(step(0.04, 900), "within a second of the release");
        }
    }

    @Test
    void aReleaseOnRequestAlsoStartsANewBaseline() {
        settle(1.1, 500, 0);
        assertFalse(step(1.1, 500));
        policy.released();
        settle(1.1, 700, 0);
        assertFalse(step(1.1, 700), "the baseline after the release, whatever it holds");
        assertFalse(step(1.1, 710));
    }
}
