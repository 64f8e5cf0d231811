package dev.llmforge.tensor;

import java.util.Objects;

/** Where a tensor lives: the CPU or the n-th GPU. */
public final class Device {
    public enum Kind { CPU, GPU }

    private static final Device CPU = new Device(Kind.CPU, 0);

    private final Kind kind;
    private final int index;

    private Device(Kind kind, int index) {
        if (index < 0) {
            throw new IllegalArgumentException("device index must be >= 0, was " + index);
        }
        this.kind = kind;
        this.index = index;
    }

    public static Device cpu() {
        return CPU;
    }

    public static Device gpu(int index) {
        return new Device(Kind.GPU, index);
    }

    /** Parses "cpu", "gpu", "gpu:1", "cuda:0". */
    public static Device parse(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("cpu")) {
            return CPU;
        }
        if (t.equals("gpu") || t.equals("cuda")) {
            return gpu(0);
        }
        if (t.startsWith("gpu:") || t.startsWith("cuda:")) {
            try {
                return gpu(Integer.parseInt(t.substring(t.indexOf(':') + 1)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad device '" + text + "': expected cpu, gpu or gpu:N", e);
            }
        }
        throw new IllegalArgumentException("bad device '" + text + "': expected cpu, gpu or gpu:N");
    }

    public Kind kind() {
        return kind;
    }

    public int index() {
        return index;
    }

    public boolean isGpu() {
        return kind == Kind.GPU;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Device d && d.kind == kind && d.index == index;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, index);
    }

    @Override
    public String toString() {
        return kind == Kind.CPU ? "cpu" : "gpu:" + index;
    }
}
