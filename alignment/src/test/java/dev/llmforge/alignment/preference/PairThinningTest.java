package dev.llmforge.alignment.preference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A share of one kind's pairs kept: the count rounded, the other kinds untouched, the order kept, seeded. */
class PairThinningTest {
    /** 10 length pairs, 3 correctness pairs, 2 form pairs, interleaved. */
    static List<LabeledPair> pairs() {
        List<LabeledPair> pairs = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            PairKind kind = i % 5 == 1 ? PairKind.CORRECTNESS : i % 5 == 3 && i < 10 ? PairKind.FORM : PairKind.LENGTH;
            pairs.add(new LabeledPair("q" + i, "short " + i, "longer " + i, kind));
        }
        return pairs;
    }

    private static long count(List<LabeledPair> pairs, PairKind kind) {
        return pairs.stream().filter(p -> p.kind() == kind).count();
    }

    @Test
    void keepsTheShareOfOneKindAndEveryOtherPairInOrder() {
        List<LabeledPair> all = pairs();
        assertEquals(10, count(all, PairKind.LENGTH));
        List<LabeledPair> kept = PairThinning.keep(all, PairKind.LENGTH, 0.34, 5);
        assertEquals(3, count(kept, PairKind.LENGTH), "round(0.34 * 10)");
        assertEquals(3, count(kept, PairKind.CORRECTNESS));
        assertEquals(2, count(kept, PairKind.FORM));
        assertEquals(all.stream().filter(kept::contains).toList(), kept, "file order kept");
        assertEquals(all.stream().filter(p -> p.kind() != PairKind.LENGTH).toList(), PairThinning.keep(all, PairKind.LENGTH, 0, 5));
        assertEquals(all, PairThinning.keep(all, PairKind.LENGTH, 1, 5));
    }

    @Test
    void theSeedChoosesWhichAreKept() {
        assertEquals(PairThinning.keep(pairs(), PairKind.LENGTH, 0.5, 1), PairThinning.keep(pairs(), PairKind.LENGTH, 0.5, 1));
        assertNotEquals(PairThinning.keep(pairs(), PairKind.LENGTH, 0.5, 1), PairThinning.keep(pairs(), PairKind.LENGTH, 0.5, 2));
    }

    @Test
    void aShareOutsideZeroToOneIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PairThinning.keep(pairs(), PairKind.LENGTH, 1.5, 1));
        assertEquals("the share of length pairs to keep must be between 0 and 1, found 1.5", e.getMessage());
    }
}
