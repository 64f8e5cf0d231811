package dev.llmforge.tck;

import static dev.llmforge.tck.Tolerance.Kind.ACCUMULATED;
import static dev.llmforge.tck.Tolerance.Kind.ELEMENTWISE;
import static dev.llmforge.tck.Tolerance.Kind.EXACT;
import static dev.llmforge.tensor.DType.BOOL;
import static dev.llmforge.tensor.DType.F32;
import static dev.llmforge.tensor.DType.F64;
import static dev.llmforge.tensor.DType.I32;
import static dev.llmforge.tensor.DType.I64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.autograd.Ops;
import dev.llmforge.spi.Capability;
import dev.llmforge.spi.Kernels;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.tck.Expect.Values;
import dev.llmforge.tck.Tolerance.Kind;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Device;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every primitive of {@link Kernels}, called through core's {@link Tensor}/{@link Ops} API (so
 * core's validation applies), compared with the reference backend on identical seeded host data:
 * broadcasting, rank-0 and (with {@link Capability#ZERO_SIZE}) zero-size shapes, every dtype each
 * operation accepts (F64 with {@link Capability#F64}). Each comparison also checks that the result
 * is a new handle, the inputs are unchanged and no native tensor leaks. Known-answer tests pin the
 * semantics (first maximum wins, truncation toward zero, NumPy take) independently of the oracle.
 */
public abstract class KernelContract extends BackendContract {
    private static final List<DType> FLOATS = List.of(F32, F64);
    private static final List<DType> NUMERIC = List.of(F32, F64, I32, I64);
    private static final List<DType> ALL = List.of(F32, F64, I32, I64, BOOL);
    private static final List<DType> INDEX_TYPES = List.of(I32, I64);

    // ---- the comparison every dynamic test runs ---------------------------------------------------------

    private DynamicTest compare(String label, Kind kind, TensorOp op, HostTensor... inputs) {
        return DynamicTest.dynamicTest(label, () -> check(label, kind, op, List.of(inputs)));
    }

    private void check(String label, Kind kind, TensorOp op, List<HostTensor> inputs) {
        for (HostTensor h : inputs) {
            requireDtype(h.dtype());
            if (h.shape().numel() == 0) {
                requireCapability(Capability.ZERO_SIZE);
            }
        }
        Values expected = Execution.run(label + " on " + REFERENCE, reference(), op, inputs);
        requireDtype(expected.dtype());
        if (expected.shape().numel() == 0) {
            requireCapability(Capability.ZERO_SIZE);
        }
        Values actual = Execution.run(label + " on " + backend().name(), backend(), op, inputs, captured());
        Expect.close(label + " on " + backend().name() + " vs " + REFERENCE, kind, expected, actual);
    }

    /** Typical data of {@code dtype}: floats in [-3, 3), integers in [-50, 50], random booleans. */
    private static HostTensor sample(Rng rng, DType dtype, int... dims) {
        return switch (dtype) {
            case BOOL -> rng.bools(dims);
            case I32, I64 -> rng.ints(dtype, dims, -50, 50);
            default -> rng.uniform(dtype, dims, -3, 3);
        };
    }

    private static int[] d(int... dims) {
        return dims;
    }

    private static String s(int[] dims) {
        return Arrays.toString(dims);
    }

    private static final List<int[]> UNARY_SHAPES = List.of(d(), d(7), d(2, 3, 4), d(0, 3));

    /** Operand shape pairs: equal, broadcast both ways, rank 0, and zero-size. */
    private static final List<int[][]> BINARY_SHAPES = List.of(
            new int[][] {d(2, 3), d(2, 3)},
            new int[][] {d(2, 1, 3), d(4, 3)},
            new int[][] {d(), d(3)},
            new int[][] {d(3), d()},
            new int[][] {d(), d()},
            new int[][] {d(4, 1), d(1, 5)},
            new int[][] {d(0, 3), d(3)},
            new int[][] {d(2, 0), d(2, 1)});

    // ---- element-wise -------------------------------------------------------------------------------------

    private record Unary(String name, double lo, double hi, UnaryOperator<Tensor> f) {
    }

    @TestFactory
    Stream<DynamicTest> unaryOps() {
        List<Unary> ops = List.of(
                new Unary("neg", -3, 3, Tensor::neg),
                new Unary("exp", -5, 5, Tensor::exp),
                new Unary("log", 0.05, 5, Tensor::log),
                new Unary("sqrt", 0, 5, Tensor::sqrt),
                new Unary("tanh", -4, 4, Tensor::tanh),
                new Unary("reciprocal", 0.2, 3, Tensor::reciprocal),
                new Unary("erf", -3, 3, Tensor::erf));
        List<DynamicTest> tests = new ArrayList<>();
        for (Unary u : ops) {
            for (DType t : FLOATS) {
                for (int[] dims : UNARY_SHAPES) {
                    String label = u.name() + " " + t + " " + s(dims);
                    Rng rng = new Rng(label);
                    HostTensor x = u.name().equals("reciprocal") ? rng.awayFromZero(t, dims, u.lo(), u.hi()) : rng.uniform(t, dims, u.lo(), u.hi());
                    tests.add(compare(label, ELEMENTWISE, xs -> u.f().apply(xs.get(0)), x));
                }
            }
        }
        for (DType t : List.of(I32, I64)) {
            for (int[] dims : UNARY_SHAPES) {
                String label = "neg " + t + " " + s(dims);
                tests.add(compare(label, EXACT, xs -> xs.get(0).neg(), sample(new Rng(label), t, dims)));
            }
        }
        return tests.stream();
    }

    private record Binary(String name, String symbol, java.util.function.BinaryOperator<Tensor> f) {
    }

    @TestFactory
    Stream<DynamicTest> binaryOps() {
        List<Binary> ops = List.of(
                new Binary("add", "+", Tensor::add),
                new Binary("sub", "-", Tensor::sub),
                new Binary("mul", "*", Tensor::mul),
                new Binary("div", "/", Tensor::div),
                new Binary("maximum", "max", Tensor::maximum));
        List<DynamicTest> tests = new ArrayList<>();
        for (Binary op : ops) {
            for (DType t : NUMERIC) {
                for (int[][] pair : BINARY_SHAPES) {
                    String label = op.name() + " " + t + " " + s(pair[0]) + " " + op.symbol() + " " + s(pair[1]);
                    Rng rng = new Rng(label);
                    HostTensor a = sample(rng, t, pair[0]);
                    HostTensor b;
                    if (op.name().equals("div")) {
                        b = t.isFloating() ? rng.awayFromZero(t, pair[1], 0.5, 3) : rng.nonZeroInts(t, pair[1], 7);
                    } else {
                        b = sample(rng, t, pair[1]);
                    }
                    tests.add(compare(label, ELEMENTWISE, xs -> op.f().apply(xs.get(0), xs.get(1)), a, b));
                }
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> comparisons() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType t : NUMERIC) {
            for (int[][] pair : BINARY_SHAPES) {
                for (String op : List.of("lt", "eq")) {
                    String label = op + " " + t + " " + s(pair[0]) + ", " + s(pair[1]);
                    Rng rng = new Rng(label);
                    // small whole numbers make equal elements common, in float types too
                    HostTensor a = rng.ints(t, pair[0], -2, 2);
                    HostTensor b = rng.ints(t, pair[1], -2, 2);
                    tests.add(compare(label, EXACT, op.equals("lt") ? xs -> xs.get(0).lt(xs.get(1)) : xs -> xs.get(0).eq(xs.get(1)), a, b));
                }
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> where() {
        List<int[][]> shapes = List.of(
                new int[][] {d(2, 3), d(2, 3), d(2, 3)},
                new int[][] {d(2, 1, 3), d(4, 3), d()},
                new int[][] {d(3), d(2, 1), d(1)},
                new int[][] {d(), d(2, 3), d(2, 3)},
                new int[][] {d(0, 3), d(3), d()});
        List<DynamicTest> tests = new ArrayList<>();
        for (DType t : ALL) {
            for (int[][] sh : shapes) {
                String label = "where " + t + " cond " + s(sh[0]) + " ? " + s(sh[1]) + " : " + s(sh[2]);
                Rng rng = new Rng(label);
                tests.add(compare(label, EXACT, xs -> xs.get(0).where(xs.get(1), xs.get(2)),
                        rng.bools(sh[0]), sample(rng, t, sh[1]), sample(rng, t, sh[2])));
            }
        }
        return tests.stream();
    }

    // ---- reductions -----------------------------------------------------------------------------------------

    private static final List<int[]> SUM_AXES = List.of(d(), d(0), d(1), d(2), d(-1), d(0, 2), d(1, 2), d(0, 1, 2));

    @TestFactory
    Stream<DynamicTest> sums() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType t : NUMERIC) {
            for (int[] axes : SUM_AXES) {
                for (boolean keep : new boolean[] {false, true}) {
                    tests.add(reduction("sum", t, d(3, 4, 5), axes, keep));
                }
            }
            tests.add(reduction("sum", t, d(), d(), false));
            tests.add(reduction("sum", t, d(0, 3), d(0), false));
            tests.add(reduction("sum", t, d(0, 3), d(1), true));
            tests.add(reduction("sum", t, d(2, 0, 3), d(1), false));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> maxima() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType t : NUMERIC) {
            for (int[] axes : SUM_AXES.subList(1, SUM_AXES.size())) {
                for (boolean keep : new boolean[] {false, true}) {
                    tests.add(reduction("max", t, d(3, 4, 5), axes, keep));
                }
            }
            tests.add(reduction("max", t, d(7), d(0), false));
            tests.add(reduction("max", t, d(0, 3), d(1), false));
        }
        return tests.stream();
    }

    private DynamicTest reduction(String op, DType t, int[] dims, int[] axes, boolean keep) {
        String label = op + " " + t + " " + s(dims) + " over axes " + s(axes) + (keep ? " keepDim" : "");
        HostTensor x = t.isFloating() ? new Rng(label).uniform(t, dims, -1, 1) : new Rng(label).ints(t, dims, -9, 9);
        TensorOp f = op.equals("sum") ? xs -> xs.get(0).sum(axes, keep) : xs -> xs.get(0).max(axes, keep);
        return compare(label, op.equals("sum") ? ACCUMULATED : EXACT, f, x);
    }

    @TestFactory
    Stream<DynamicTest> argmax() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType t : NUMERIC) {
            for (int axis : new int[] {0, 1, 2, -1}) {
                for (boolean keep : new boolean[] {false, true}) {
                    String label = "argmax " + t + " [3, 4, 5] axis " + axis + (keep ? " keepDim" : "") + " with ties";
                    tests.add(compare(label, EXACT, xs -> xs.get(0).argmax(axis, keep), new Rng(label).ints(t, d(3, 4, 5), 0, 3)));
                }
            }
            String label = "argmax " + t + " [7]";
            tests.add(compare(label, EXACT, xs -> xs.get(0).argmax(0, false), sample(new Rng(label), t, 7)));
            String empty = "argmax " + t + " [0, 3] axis 1";
            tests.add(compare(empty, EXACT, xs -> xs.get(0).argmax(1, false), sample(new Rng(empty), t, 0, 3)));
        }
        return tests.stream();
    }

    // ---- matmul -------------------------------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicTest> matmul() {
        // logical operand shapes (before the optional transposition of the stored operand)
        List<int[][]> shapes = List.of(
                new int[][] {d(3, 4), d(4, 5)},
                new int[][] {d(2, 3, 4), d(4, 5)},
                new int[][] {d(3, 4), d(2, 4, 5)},
                new int[][] {d(2, 1, 3, 4), d(3, 4, 5)},
                new int[][] {d(1, 1), d(1, 1)},
                new int[][] {d(0, 4), d(4, 5)},
                new int[][] {d(3, 0), d(0, 5)});
        List<DynamicTest> tests = new ArrayList<>();
        for (DType t : FLOATS) {
            for (int[][] sh : shapes) {
                for (boolean ta : new boolean[] {false, true}) {
                    for (boolean tb : new boolean[] {false, true}) {
                        int[] a = ta ? swapLast(sh[0]) : sh[0];
                        int[] b = tb ? swapLast(sh[1]) : sh[1];
                        String label = "matmul " + t + " " + s(a) + (ta ? "^T" : "") + " @ " + s(b) + (tb ? "^T" : "");
                        Rng rng = new Rng(label);
                        tests.add(compare(label, ACCUMULATED, xs -> xs.get(0).matmul(xs.get(1), ta, tb),
                                rng.uniform(t, a, -1, 1), rng.uniform(t, b, -1, 1)));
                    }
                }
            }
        }
        return tests.stream();
    }

    private static int[] swapLast(int[] dims) {
        int[] r = dims.clone();
        r[r.length - 1] = dims[dims.length - 2];
        r[r.length - 2] = dims[dims.length - 1];
        return r;
    }

    // ---- movement -------------------------------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicTest> reshape() {
        List<int[][]> cases = List.of(
                new int[][] {d(2, 3, 4), d(6, 4)},
                new int[][] {d(2, 3, 4), d(24)},
                new int[][] {d(2, 3, 4), d(4, -1)},
                new int[][] {d(1), d()},
                new int[][] {d(), d(1, 1)},
                new int[][] {d(0, 3), d(3, 0)});
        return movement("reshape", cases, (c, xs) -> xs.get(0).reshape(c[1]));
    }

    @TestFactory
    Stream<DynamicTest> permute() {
        List<int[][]> cases = List.of(
                new int[][] {d(2, 3, 4), d(2, 0, 1)},
                new int[][] {d(2, 3, 4), d(1, 0, 2)},
                new int[][] {d(2, 3, 4), d(0, 2, 1)},
                new int[][] {d(2, 3, 4), d(2, 1, 0)},
                new int[][] {d(2, 3), d(1, 0)},
                new int[][] {d(0, 3), d(1, 0)});
        return movement("permute", cases, (c, xs) -> xs.get(0).permute(c[1]));
    }

    @TestFactory
    Stream<DynamicTest> expand() {
        List<int[][]> cases = List.of(
                new int[][] {d(3, 1), d(2, 3, 4)},
                new int[][] {d(), d(2, 2)},
                new int[][] {d(1), d(5)},
                new int[][] {d(2, 1, 3), d(2, 4, 3)},
                new int[][] {d(1, 3), d(0, 3)});
        return movement("expand", cases, (c, xs) -> xs.get(0).expand(Shape.of(c[1])));
    }

    @TestFactory
    Stream<DynamicTest> slice() {
        // {shape, {axis, start, end}}
        List<int[][]> cases = List.of(
                new int[][] {d(4, 5), d(0, 1, 3)},
                new int[][] {d(4, 5), d(1, 0, 5)},
                new int[][] {d(4, 5), d(-1, 2, 4)},
                new int[][] {d(3, 4, 5), d(1, 1, 2)},
                new int[][] {d(3, 4, 5), d(2, 4, 5)},
                new int[][] {d(4, 5), d(0, 2, 2)});
        return movement("slice", cases, (c, xs) -> xs.get(0).slice(c[1][0], c[1][1], c[1][2]));
    }

    private interface Movement {
        Tensor apply(int[][] testCase, List<Tensor> xs);
    }

    private Stream<DynamicTest> movement(String op, List<int[][]> cases, Movement f) {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType t : ALL) {
            for (int[][] c : cases) {
                String label = op + " " + t + " " + s(c[0]) + " by " + s(c[1]);
                tests.add(compare(label, EXACT, xs -> f.apply(c, xs), sample(new Rng(label), t, c[0])));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> concat() {
        // the last row of each case is {axis}
        List<int[][]> cases = List.of(
                new int[][] {d(2, 3), d(2, 2), d(1)},
                new int[][] {d(1, 3), d(2, 3), d(3, 3), d(0)},
                new int[][] {d(2, 3, 4), d(2, 1, 4), d(1)},
                new int[][] {d(2, 3), d(2, 4), d(-1)},
                new int[][] {d(0, 3), d(2, 3), d(0)});
        List<DynamicTest> tests = new ArrayList<>();
        for (DType t : ALL) {
            for (int[][] c : cases) {
                int axis = c[c.length - 1][0];
                int[][] parts = Arrays.copyOf(c, c.length - 1);
                StringBuilder label = new StringBuilder("concat ").append(t).append(" axis ").append(axis);
                for (int[] p : parts) {
                    label.append(' ').append(s(p));
                }
                Rng rng = new Rng(label.toString());
                HostTensor[] inputs = new HostTensor[parts.length];
                for (int i = 0; i < parts.length; i++) {
                    inputs[i] = sample(rng, t, parts[i]);
                }
                tests.add(compare(label.toString(), EXACT, xs -> Ops.concat(xs, axis), inputs));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> gather() {
        // {source shape, {axis}, index shape}
        List<int[][]> cases = List.of(
                new int[][] {d(5, 3), d(0), d(4)},
                new int[][] {d(5, 3), d(0), d()},
                new int[][] {d(5, 3), d(0), d(2, 2)},
                new int[][] {d(5, 3), d(1), d(4)},
                new int[][] {d(6), d(0), d(2, 3)},
                new int[][] {d(2, 3, 4), d(1), d(2, 2)},
                new int[][] {d(2, 3, 4), d(-1), d(3)},
                new int[][] {d(5, 3), d(0), d(0)});
        List<DynamicTest> tests = new ArrayList<>();
        for (DType t : ALL) {
            for (DType it : INDEX_TYPES) {
                for (int[][] c : cases) {
                    int axis = c[1][0];
                    String label = "gather " + t + " " + s(c[0]) + " axis " + axis + " indices " + it + " " + s(c[2]);
                    Rng rng = new Rng(label);
                    HostTensor src = sample(rng, t, c[0]);
                    HostTensor idx = rng.indices(it, c[2], Shape.of(c[0]).dim(axis));
                    tests.add(compare(label, EXACT, xs -> xs.get(0).gather(axis, xs.get(1)), src, idx));
                }
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> scatterAdd() {
        // {target shape, {axis}, index shape}; updates have the gathered shape
        List<int[][]> cases = List.of(
                new int[][] {d(5, 3), d(0), d(6)},
                new int[][] {d(2, 4), d(1), d(2, 3)},
                new int[][] {d(4), d(0), d()},
                new int[][] {d(3, 2), d(0), d(0)});
        List<DynamicTest> tests = new ArrayList<>();
        for (DType t : NUMERIC) {
            for (DType it : INDEX_TYPES) {
                for (int[][] c : cases) {
                    int axis = c[1][0];
                    Shape target = Shape.of(c[0]);
                    String label = "scatterAdd " + t + " into " + target + " axis " + axis + " indices " + it + " " + s(c[2]) + " (repeated)";
                    Rng rng = new Rng(label);
                    HostTensor idx = rng.indices(it, c[2], target.dim(axis));
                    HostTensor updates = sample(rng, t, Shape.gathered(target, axis, Shape.of(c[2])).dims());
                    tests.add(compare(label, ELEMENTWISE, xs -> Ops.scatterAdd(target, axis, xs.get(0), xs.get(1)), idx, updates));
                }
            }
        }
        return tests.stream();
    }

    // ---- cast -------------------------------------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicTest> casts() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType from : ALL) {
            for (DType to : ALL) {
                if (from == to) {
                    continue;
                }
                HostTensor x = castSource(from);
                String label = "cast " + from + " -> " + to + " " + x.shape();
                tests.add(compare(label, EXACT, xs -> xs.get(0).cast(to), x));
            }
            DType toFloat = from == F32 ? I64 : F32;
            tests.add(compare("cast " + from + " -> " + toFloat + " rank 0", EXACT, xs -> xs.get(0).cast(toFloat), HostTensor.scalar(from, 1)));
            DType toInt = from == I32 ? F32 : I32;
            tests.add(compare("cast " + from + " -> " + toInt + " [0]", EXACT, xs -> xs.get(0).cast(toInt), HostTensor.of(from, d(0))));
        }
        return tests.stream();
    }

    /** Values that exercise truncation toward zero, negative zero, rounding to F32 and non-zero to true. */
    private static HostTensor castSource(DType from) {
        double[] v = switch (from) {
            case F32, F64 -> new double[] {2.7, -2.7, -0.5, 0.5, 0, -0.0, 1000.25, -1000.75, 3, 0.1, 1.5e9, -7.999};
            case I32, I64 -> new double[] {-5, 0, 7, 100000, -123456, 1, 16777217, -1, 2, 3, 65536, -65536};
            default -> new double[] {0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0};
        };
        return HostTensor.of(from, d(12), v);
    }

    // ---- I/O ---------------------------------------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicTest> bufferRoundTrips() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType t : DType.values()) {
            for (int[] dims : List.of(d(), d(2, 5), d(0, 4))) {
                for (boolean direct : new boolean[] {false, true}) {
                    String label = "fromBuffer/toBuffer " + t + " " + s(dims) + (direct ? " direct" : " heap") + " buffer";
                    tests.add(DynamicTest.dynamicTest(label, () -> roundTrip(label, t, Shape.of(dims), direct)));
                }
            }
        }
        return tests.stream();
    }

    private void roundTrip(String label, DType t, Shape shape, boolean direct) {
        requireDtype(t);
        if (shape.numel() == 0) {
            requireCapability(Capability.ZERO_SIZE);
        }
        byte[] payload = specialValues(t, shape.size());
        int pad = 3; // the data starts at a non-zero position, as in a slice of a file buffer
        ByteBuffer src = (direct ? ByteBuffer.allocateDirect(pad + payload.length + pad) : ByteBuffer.allocate(pad + payload.length + pad))
                .order(ByteOrder.LITTLE_ENDIAN);
        src.position(pad);
        src.put(payload);
        src.position(pad).limit(pad + payload.length);
        Kernels k = backend().kernels();
        long before = backend().liveTensorCount();
        NativeTensor h = k.fromBuffer(src, shape, t, Device.cpu());
        try {
            assertEquals(shape, h.shape(), label + ": shape");
            assertEquals(t, h.dtype(), label + ": dtype");
            assertEquals(pad, src.position(), label + ": fromBuffer moved the caller's buffer position");
            assertEquals(pad + payload.length, src.limit(), label + ": fromBuffer changed the caller's buffer limit");
            ByteBuffer out = k.toBuffer(h);
            assertEquals(payload.length, out.remaining(), label + ": toBuffer returned " + out.remaining() + " bytes");
            byte[] back = new byte[payload.length];
            out.duplicate().get(back);
            assertArrayEquals(payload, back, label + ": bytes differ after the round trip");
            if (payload.length > 0) {
                out.put(out.position(), (byte) (out.get(out.position()) ^ 0x5A));
                byte[] again = new byte[payload.length];
                k.toBuffer(h).get(again);
                assertArrayEquals(payload, again, label + ": writing into the buffer toBuffer returned changed the tensor");
                src.put(pad, (byte) (src.get(pad) ^ 0x5A));
                k.toBuffer(h).get(again);
                assertArrayEquals(payload, again, label + ": the tensor still reads the caller's buffer after fromBuffer");
            }
        } finally {
            h.close();
        }
        assertEquals(before, backend().liveTensorCount(), label + ": live tensor count after closing the handle");
    }

    /** Little-endian bytes of values that stress a dtype: extremes, negative zero, NaN, infinities, subnormals. */
    private static byte[] specialValues(DType t, int n) {
        ByteBuffer b = ByteBuffer.allocate(n * t.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            switch (t) {
                case F32 -> b.putFloat(new float[] {0f, -0f, 1f, -1.5f, Float.MAX_VALUE, Float.MIN_VALUE, Float.NaN,
                    Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0.1f}[i % 10]);
                case F64 -> b.putDouble(new double[] {0d, -0d, 1d, -1.5d, Double.MAX_VALUE, Double.MIN_VALUE, Double.NaN,
                    Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.1d}[i % 10]);
                case I32 -> b.putInt(new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE, -1, 0, 123456789}[i % 5]);
                // the reference holds I64 in doubles, exact to 2^53; backends must round-trip at least that range
                case I64 -> b.putLong(new long[] {1L << 53, -(1L << 53), -1, 0, 1234567890123L}[i % 5]);
                case BOOL -> b.put((byte) (i % 3 == 0 ? 1 : 0));
                // F16 / BF16: 1.0, -2.0, the largest finite, a subnormal, +infinity
                case F16 -> b.putShort(new short[] {0x3C00, (short) 0xC000, 0x7BFF, 0x0001, 0x7C00}[i % 5]);
                case BF16 -> b.putShort(new short[] {0x3F80, (short) 0xC000, 0x7F7F, 0x0001, 0x7F80}[i % 5]);
                default -> throw new IllegalStateException("unhandled dtype " + t);
            }
        }
        return b.array();
    }

    @TestFactory
    Stream<DynamicTest> full() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType t : ALL) {
            double[] values = t.isFloating() ? new double[] {0.1, -2.5, 0} : t == BOOL ? new double[] {0, 1, 2} : new double[] {-3, 7, 0};
            for (double v : values) {
                for (int[] dims : List.of(d(), d(2, 3), d(0, 2))) {
                    String label = "full " + t + " " + s(dims) + " value " + v;
                    tests.add(DynamicTest.dynamicTest(label, () -> {
                        requireDtype(t);
                        if (Shape.of(dims).numel() == 0) {
                            requireCapability(Capability.ZERO_SIZE);
                        }
                        double[] expected = new double[Shape.of(dims).size()];
                        Arrays.fill(expected, HostTensor.round(t, v));
                        Values actual = Execution.run(label, backend(), xs -> tensors().full(Shape.of(dims), v, t), List.of());
                        assertEquals(Shape.of(dims), actual.shape(), label);
                        assertEquals(t, actual.dtype(), label);
                        Expect.exact(label, actual.shape(), expected, actual.data());
                    }));
                }
            }
        }
        return tests.stream();
    }

    // ---- random ----------------------------------------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicTest> random() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType t : FLOATS) {
            tests.add(DynamicTest.dynamicTest("same seed gives the same values, " + t, () -> sameSeedSameValues(t)));
            tests.add(DynamicTest.dynamicTest("different seeds give different values, " + t, () -> differentSeedsDiffer(t)));
            tests.add(DynamicTest.dynamicTest("uniform statistics on 10k samples, " + t, () -> uniformStatistics(t)));
            tests.add(DynamicTest.dynamicTest("normal statistics on 10k samples, " + t, () -> normalStatistics(t)));
        }
        return tests.stream();
    }

    private void sameSeedSameValues(DType t) {
        requireDtype(t);
        TensorFactory f = tensors();
        try (TensorScope ignored = TensorScope.open()) {
            assertArrayEquals(f.rand(Shape.of(3, 100), t, 42).toDoubleArray(), f.rand(Shape.of(3, 100), t, 42).toDoubleArray(), "rand, seed 42");
            assertArrayEquals(f.randn(Shape.of(3, 100), t, 42).toDoubleArray(), f.randn(Shape.of(3, 100), t, 42).toDoubleArray(), "randn, seed 42");
            double u = f.rand(Shape.scalar(), t, 7).item();
            assertTrue(u >= 0 && u < 1, "rank-0 rand in [0, 1): " + u);
        }
    }

    private void differentSeedsDiffer(DType t) {
        requireDtype(t);
        TensorFactory f = tensors();
        try (TensorScope ignored = TensorScope.open()) {
            for (boolean normal : new boolean[] {false, true}) {
                double[] a = (normal ? f.randn(Shape.of(1000), t, 1) : f.rand(Shape.of(1000), t, 1)).toDoubleArray();
                double[] b = (normal ? f.randn(Shape.of(1000), t, 2) : f.rand(Shape.of(1000), t, 2)).toDoubleArray();
                int same = 0;
                for (int i = 0; i < a.length; i++) {
                    same += a[i] == b[i] ? 1 : 0;
                }
                assertTrue(same < 10, (normal ? "randn" : "rand") + " with seeds 1 and 2: " + same + " of 1000 elements equal");
            }
        }
    }

    // Bounds: n = 10,000. Each bound is 5-7 standard errors of the statistic, so a correct generator
    // fails with probability < 1e-6, while a wrong distribution (or a constant) misses by far more.
    private void uniformStatistics(DType t) {
        requireDtype(t);
        try (TensorScope ignored = TensorScope.open()) {
            double[] x = tensors().rand(Shape.of(100, 100), t, 123).toDoubleArray();
            for (double v : x) {
                assertTrue(v >= 0 && v < 1, "rand " + t + ": value " + v + " outside [0, 1)");
            }
            Moments m = Moments.of(x);
            assertEquals(0.5, m.mean, 0.02, "rand mean (standard error 0.003)");
            assertEquals(Math.sqrt(1 / 12.0), m.std, 0.01, "rand standard deviation (standard error 0.0015)");
            assertEquals(0.25, m.fractionBelow(0.25), 0.03, "fraction of rand below 0.25 (standard error 0.0043)");
            assertEquals(0, m.lagOneCorrelation, 0.05, "correlation of consecutive rand values (standard error 0.01)");
        }
    }

    private void normalStatistics(DType t) {
        requireDtype(t);
        try (TensorScope ignored = TensorScope.open()) {
            double[] x = tensors().randn(Shape.of(10_000), t, 321).toDoubleArray();
            Moments m = Moments.of(x);
            assertEquals(0, m.mean, 0.05, "randn mean (standard error 0.01)");
            assertEquals(1, m.std, 0.05, "randn standard deviation (standard error 0.007)");
            double inside = 0;
            for (double v : x) {
                assertTrue(Double.isFinite(v), "randn produced " + v);
                inside += Math.abs(v) < 1 ? 1 : 0;
            }
            assertEquals(0.6827, inside / x.length, 0.03, "fraction of randn within one standard deviation (standard error 0.0047)");
            assertEquals(0, m.lagOneCorrelation, 0.05, "correlation of consecutive randn values (standard error 0.01)");
        }
    }

    private record Moments(double[] x, double mean, double std, double lagOneCorrelation) {
        static Moments of(double[] x) {
            double mean = 0;
            for (double v : x) {
                mean += v;
            }
            mean /= x.length;
            double var = 0;
            double cov = 0;
            for (int i = 0; i < x.length; i++) {
                var += (x[i] - mean) * (x[i] - mean);
                if (i > 0) {
                    cov += (x[i] - mean) * (x[i - 1] - mean);
                }
            }
            return new Moments(x, mean, Math.sqrt(var / x.length), cov / var);
        }

        double fractionBelow(double threshold) {
            int n = 0;
            for (double v : x) {
                n += v < threshold ? 1 : 0;
            }
            return (double) n / x.length;
        }
    }

    // ---- known answers: semantics pinned without the oracle ----------------------------------------------------------

    private static double[] values(Tensor t) {
        return t.toDoubleArray();
    }

    @Test
    void broadcastingAddGivesKnownValues() {
        try (TensorScope ignored = TensorScope.open()) {
            TensorFactory f = tensors();
            Tensor col = f.of(new float[] {1, 2}, 2, 1);
            Tensor row = f.of(new float[] {10, 20, 30}, 3);
            Tensor sum = col.add(row);
            assertEquals(Shape.of(2, 3), sum.shape());
            assertArrayEquals(new double[] {11, 21, 31, 12, 22, 32}, values(sum));
            assertArrayEquals(new double[] {-9, -19, -29, -8, -18, -28}, values(col.sub(row)));
            assertArrayEquals(new double[] {5, 6, 7}, values(f.scalar(4, F32).add(f.of(new float[] {1, 2, 3}, 3))));
        }
    }

    @Test
    void integerDivisionTruncatesTowardZero() {
        try (TensorScope ignored = TensorScope.open()) {
            for (DType t : List.of(I32, I64)) {
                Tensor a = tensors().of(new double[] {7, -7, 7, -7, 6}, Shape.of(5), t);
                Tensor b = tensors().of(new double[] {2, 2, -2, -2, 3}, Shape.of(5), t);
                assertArrayEquals(new double[] {3, -3, -3, 3, 2}, values(a.div(b)), t + " division");
            }
        }
    }

    @Test
    void argmaxReturnsTheFirstOfTiedMaxima() {
        try (TensorScope ignored = TensorScope.open()) {
            for (DType t : List.of(F32, I32, I64)) {
                Tensor x = tensors().of(new double[] {1, 3, 3, 2, 2, 1}, Shape.of(2, 3), t);
                assertArrayEquals(new long[] {1, 0}, x.argmax(1, false).toLongArray(), t + " argmax over rows with ties");
                assertArrayEquals(new long[] {1, 0, 0}, x.argmax(0, false).toLongArray(), t + " argmax over columns with ties");
                Tensor kept = x.argmax(-1, true);
                assertEquals(Shape.of(2, 1), kept.shape());
                assertEquals(I64, kept.dtype());
            }
        }
    }

    @Test
    void castTruncatesTowardZeroAndMapsNonZeroToTrue() {
        try (TensorScope ignored = TensorScope.open()) {
            Tensor x = tensors().of(new float[] {2.7f, -2.7f, -0.5f, 0.5f, 0f, -0f, 1e3f}, 7);
            assertArrayEquals(new int[] {2, -2, 0, 0, 0, 0, 1000}, x.cast(I32).toIntArray(), "F32 -> I32");
            assertArrayEquals(new long[] {2, -2, 0, 0, 0, 0, 1000}, x.cast(I64).toLongArray(), "F32 -> I64");
            assertArrayEquals(new boolean[] {true, true, true, true, false, false, true}, x.cast(BOOL).toBooleanArray(), "F32 -> BOOL");
            Tensor flags = tensors().of(new boolean[] {true, false}, 2);
            assertArrayEquals(new double[] {1, 0}, values(flags.cast(F32)), "BOOL -> F32");
            assertArrayEquals(new long[] {1, 0}, flags.cast(I64).toLongArray(), "BOOL -> I64");
            assertArrayEquals(new boolean[] {true, false, true}, tensors().of(new int[] {-3, 0, 9}, 3).cast(BOOL).toBooleanArray(), "I32 -> BOOL");
        }
    }

    @Test
    void gatherFollowsNumpyTake() {
        try (TensorScope ignored = TensorScope.open()) {
            Tensor src = tensors().of(new float[] {0, 1, 2, 3, 4, 5}, 2, 3);
            Tensor rows = src.gather(0, tensors().of(new long[] {1, 1, 0}, 3));
            assertEquals(Shape.of(3, 3), rows.shape());
            assertArrayEquals(new double[] {3, 4, 5, 3, 4, 5, 0, 1, 2}, values(rows));
            Tensor cols = src.gather(1, tensors().of(new int[] {2, 0, 2, 2}, 2, 2));
            assertEquals(Shape.of(2, 2, 2), cols.shape());
            assertArrayEquals(new double[] {2, 0, 2, 2, 5, 3, 5, 5}, values(cols));
            Tensor one = src.gather(0, tensors().scalar(1, I64));
            assertEquals(Shape.of(3), one.shape());
            assertArrayEquals(new double[] {3, 4, 5}, values(one));
        }
    }

    @Test
    void scatterAddAccumulatesRepeatedIndices() {
        try (TensorScope ignored = TensorScope.open()) {
            Tensor idx = tensors().of(new long[] {0, 2, 0, 0}, 4);
            Tensor up = tensors().of(new float[] {1, 2, 3, 4}, 4);
            assertArrayEquals(new double[] {8, 0, 2}, values(Ops.scatterAdd(Shape.of(3), 0, idx, up)));
            Tensor rows = tensors().of(new float[] {1, 10, 2, 20, 3, 30}, 3, 2);
            Tensor at = tensors().of(new int[] {1, 1, 0}, 3);
            assertArrayEquals(new double[] {3, 30, 3, 30}, values(Ops.scatterAdd(Shape.of(2, 2), 0, at, rows)));
        }
    }

    @Test
    void matmulGivesKnownProducts() {
        try (TensorScope ignored = TensorScope.open()) {
            TensorFactory f = tensors();
            Tensor a = f.of(new float[] {1, 2, 3, 4}, 2, 2);
            Tensor b = f.of(new float[] {5, 6, 7, 8}, 2, 2);
            assertArrayEquals(new double[] {19, 22, 43, 50}, values(a.matmul(b)), "a b");
            assertArrayEquals(new double[] {26, 30, 38, 44}, values(a.matmul(b, true, false)), "a^T b");
            assertArrayEquals(new double[] {17, 23, 39, 53}, values(a.matmul(b, false, true)), "a b^T");
            assertArrayEquals(new double[] {23, 31, 34, 46}, values(a.matmul(b, true, true)), "a^T b^T");
            Tensor batch = f.of(new float[] {1, 0, 0, 1, 2, 0, 0, 2}, 2, 2, 2); // (I, 2I)
            Tensor out = batch.matmul(b);
            assertEquals(Shape.of(2, 2, 2), out.shape());
            assertArrayEquals(new double[] {5, 6, 7, 8, 10, 12, 14, 16}, values(out), "broadcast batch");
            Tensor row = f.of(new float[] {1, 1, 1}, 1, 3);
            Tensor col = f.of(new float[] {1, 2, 3}, 3, 1);
            assertArrayEquals(new double[] {6}, values(row.matmul(col)), "inner product");
        }
    }

    @Test
    void movementKeepsRowMajorOrder() {
        try (TensorScope ignored = TensorScope.open()) {
            TensorFactory f = tensors();
            Tensor x = f.of(new float[] {0, 1, 2, 3, 4, 5}, 2, 3);
            assertArrayEquals(new double[] {0, 3, 1, 4, 2, 5}, values(x.permute(1, 0)), "permute");
            assertArrayEquals(new double[] {1, 2, 4, 5}, values(x.slice(1, 1, 3)), "slice");
            assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5}, values(x.reshape(3, 2)), "reshape");
            assertArrayEquals(new double[] {0, 1, 2, 9, 3, 4, 5, 9}, values(Ops.concat(List.of(x, f.full(Shape.of(2, 1), 9, F32)), 1)), "concat");
            assertArrayEquals(new double[] {7, 8, 7, 8, 7, 8}, values(f.of(new float[] {7, 8}, 1, 2).expand(Shape.of(3, 2))), "expand");
        }
    }

    @Test
    void reductionsGiveKnownValuesAndShapes() {
        try (TensorScope ignored = TensorScope.open()) {
            Tensor x = tensors().of(new float[] {1, 5, 2, -4, 3, 0}, 2, 3);
            assertArrayEquals(new double[] {8, -1}, values(x.sum(new int[] {1}, false)));
            assertEquals(Shape.of(1, 3), x.sum(new int[] {0}, true).shape());
            assertArrayEquals(new double[] {-3, 8, 2}, values(x.sum(new int[] {0}, true)));
            assertArrayEquals(new double[] {5, 3}, values(x.max(new int[] {1}, false)));
            assertEquals(7.0, x.sum().item());
            assertEquals(5.0, x.max().item());
            assertEquals(Shape.scalar(), x.max().shape());
        }
    }

    @Test
    void comparisonsAndWhereGiveKnownValues() {
        try (TensorScope ignored = TensorScope.open()) {
            TensorFactory f = tensors();
            Tensor a = f.of(new int[] {1, 2, 3}, 3);
            Tensor b = f.of(new int[] {2, 2, 2}, 3);
            assertArrayEquals(new boolean[] {true, false, false}, a.lt(b).toBooleanArray(), "lt");
            assertArrayEquals(new boolean[] {false, true, false}, a.eq(b).toBooleanArray(), "eq");
            Tensor picked = a.lt(b).where(f.of(new float[] {10, 20, 30}, 3), f.scalar(-1, F32));
            assertArrayEquals(new double[] {10, -1, -1}, values(picked), "where");
        }
    }

    @Test
    void unaryFunctionsGiveKnownValues() {
        try (TensorScope ignored = TensorScope.open()) {
            for (DType t : FLOATS) {
                if (!backend().dtypes().contains(t)) {
                    continue;
                }
                double tol = t == F64 ? 1e-15 : 1e-6;
                Tensor x = tensors().of(new double[] {0.5, 1, -2}, Shape.of(3), t);
                // erf from Abramowitz & Stegun table 7.1
                assertArrayEquals(new double[] {0.5204998778130465, 0.8427007929497149, -0.9953222650189527}, values(x.erf()), tol, "erf " + t);
                assertArrayEquals(new double[] {Math.exp(0.5), Math.E, Math.exp(-2)}, values(x.exp()), 4 * tol, "exp " + t);
                assertArrayEquals(new double[] {2, 1, -0.5}, values(x.reciprocal()), tol, "reciprocal " + t);
                Tensor p = tensors().of(new double[] {4, 1, 0.25}, Shape.of(3), t);
                assertArrayEquals(new double[] {2, 1, 0.5}, values(p.sqrt()), tol, "sqrt " + t);
                assertArrayEquals(new double[] {Math.log(4), 0, Math.log(0.25)}, values(p.log()), 2 * tol, "log " + t);
                assertArrayEquals(new double[] {Math.tanh(4), Math.tanh(1), Math.tanh(0.25)}, values(p.tanh()), tol, "tanh " + t);
            }
        }
    }
}
