package dev.llmforge.alignment.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class GroupAdvantagesTest {
    @Test
    void eachRewardIsComparedWithItsOwnGroup() {
        // group 1: 1, 0, 0, 1 -> mean 0.5, sample std sqrt(1/3); group 2: all 1 -> no spread
        GroupAdvantages a = GroupAdvantages.of(new double[] {1, 0, 0, 1, 1, 1, 1, 1}, 4, 1e-4);
        double z = 0.5 / (Math.sqrt(1.0 / 3) + 1e-4);
        assertArrayEquals(new double[] {z, -z, -z, z, 0, 0, 0, 0}, a.advantages(), 1e-12);
        assertEquals(0.5, a.zeroSpreadShare());
        assertEquals(Math.sqrt(1.0 / 3) / 2, a.meanStd(), 1e-12);
    }

    @Test
    void rewardsThatDoNotFillGroupsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> GroupAdvantages.of(new double[] {1, 0, 1}, 2, 1e-4));
    }
}
