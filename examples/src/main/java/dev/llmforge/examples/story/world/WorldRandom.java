package dev.llmforge.examples.story.world;

import dev.llmforge.training.data.Rng;
import java.util.ArrayList;
import java.util.List;

/**
 * The world's random choices: a SplitMix64 stream ({@link Rng}, whose numbers are fixed by its definition, not
 * by the JDK) per named part of the world, so that changing one size leaves the other parts' draws unchanged.
 */
final class WorldRandom {
    private final Rng rng;

    private WorldRandom(Rng rng) {
        this.rng = rng;
    }

    /** The stream called {@code part} of the world made from {@code seed}. */
    static WorldRandom stream(long seed, String part) {
        return new WorldRandom(new Rng(seed ^ (part.hashCode() * 0x9E3779B97F4A7C15L)));
    }

    /** Uniform in [low, high]. */
    int between(int low, int high) {
        if (high < low) {
            throw new IllegalArgumentException("empty range [" + low + ", " + high + "]");
        }
        return low + (int) rng.nextLong(high - low + 1L);
    }

    /** Uniform in [0, bound). */
    int below(int bound) {
        return (int) rng.nextLong(bound);
    }

    /** True with probability {@code p}. */
    boolean chance(double p) {
        return rng.nextDouble() < p;
    }

    <T> T pick(List<T> items) {
        return items.get(below(items.size()));
    }

    <T extends Enum<T>> T pick(T[] values) {
        return values[below(values.length)];
    }

    /** A shuffled copy (Fisher–Yates). */
    <T> List<T> shuffled(List<T> items) {
        List<T> copy = new ArrayList<>(items);
        for (int i = copy.size() - 1; i > 0; i--) {
            int j = below(i + 1);
            T t = copy.get(i);
            copy.set(i, copy.get(j));
            copy.set(j, t);
        }
        return copy;
    }
}
