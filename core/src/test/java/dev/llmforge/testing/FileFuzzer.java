package dev.llmforge.testing;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Seeded mutants of a valid file, for the fuzz test of each parser: random truncations, bit flips,
 * and 4- or 8-byte runs overwritten with lengths and counts a hostile file would hold (huge, negative,
 * just past 2^31). {@link #assertOnlyTypedErrors} feeds every mutant to the parser and fails on
 * anything but success or one of the parser's own error types (an IndexOutOfBounds, a
 * NegativeArraySize, an OutOfMemoryError or a StackOverflowError is a bug), or when the whole run
 * exceeds its time bound.
 */
public final class FileFuzzer {
    private static final long[] HOSTILE_VALUES = {
        Integer.MAX_VALUE, Integer.MIN_VALUE, -1, 0, 1L << 31, (1L << 31) + 1, 0xffffffffL, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 40
    };

    /** A parser of a file's bytes, which either returns or throws. */
    @FunctionalInterface
    public interface Parser {
        void parse(byte[] file) throws Exception;
    }

    /** A parser of a file on disk. */
    @FunctionalInterface
    public interface FileParser {
        void parse(Path file) throws Exception;
    }

    /** One mutant and how it was made, for the failure message. */
    public record Mutant(byte[] bytes, String description) {
    }

    private FileFuzzer() {
    }

    /** {@code count} mutants of {@code valid}, the same for the same seed. */
    public static List<Mutant> mutants(byte[] valid, long seed, int count) {
        Random random = new Random(seed);
        List<Mutant> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] b = valid.clone();
            String how;
            switch (i % 3) {
                case 0 -> {
                    int length = random.nextInt(valid.length);
                    b = Arrays.copyOf(valid, length);
                    how = "truncated to " + length + " bytes";
                }
                case 1 -> {
                    int flips = 1 + random.nextInt(8);
                    StringBuilder at = new StringBuilder();
                    for (int f = 0; f < flips; f++) {
                        int bit = random.nextInt(valid.length * 8);
                        b[bit / 8] ^= (byte) (1 << (bit % 8));
                        at.append(f == 0 ? "" : ",").append(bit);
                    }
                    how = "bits flipped at " + at;
                }
                default -> {
                    int width = random.nextBoolean() ? 4 : 8;
                    int pos = valid.length <= width ? 0 : random.nextInt(valid.length - width);
                    long v = HOSTILE_VALUES[random.nextInt(HOSTILE_VALUES.length)];
                    for (int k = 0; k < width && pos + k < b.length; k++) {
                        b[pos + k] = (byte) (v >>> (8 * k));
                    }
                    how = width + " bytes at " + pos + " set to " + v + " (little-endian)";
                }
            }
            out.add(new Mutant(b, "mutant " + i + " of seed " + seed + ": " + how));
        }
        return out;
    }

    /**
     * Runs {@code parser} on {@code count} mutants of {@code valid} within {@code bound}: each must parse or
     * throw an instance of one of {@code allowed}.
     */
    @SafeVarargs
    public static void assertOnlyTypedErrors(byte[] valid, long seed, int count, Duration bound, Parser parser,
                                             Class<? extends Exception>... allowed) {
        List<Mutant> mutants = mutants(valid, seed, count);
        assertTimeoutPreemptively(bound, () -> {
            for (Mutant m : mutants) {
                try {
                    parser.parse(m.bytes());
                } catch (Throwable t) {
                    if (!isAllowed(t, allowed)) {
                        throw new AssertionError(m.description() + " threw " + t.getClass().getName() + ", expected success or one of "
                                + Arrays.stream(allowed).map(Class::getSimpleName).toList(), t);
                    }
                }
            }
        }, () -> "the " + count + " mutants of seed " + seed + " took longer than " + bound);
    }

    /** As {@link #assertOnlyTypedErrors}, for a parser of files: each mutant is written to {@code file} and parsed from there. */
    @SafeVarargs
    public static void assertOnlyTypedErrorsFromFile(Path file, byte[] valid, long seed, int count, Duration bound, FileParser parser,
                                                     Class<? extends Exception>... allowed) {
        assertOnlyTypedErrors(valid, seed, count, bound, bytes -> {
            Files.write(file, bytes);
            parser.parse(file);
        }, allowed);
    }

    private static boolean isAllowed(Throwable t, Class<? extends Exception>[] allowed) {
        for (Class<? extends Exception> type : allowed) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
