package dev.llmforge.nn;

import dev.llmforge.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A layer or a model: a tree of named sub-modules and parameters. Parameter names join the path
 * with dots ({@code h.0.attn.c_attn.weight}), so checkpoints, optimiser groups and weight decay can
 * address them by name.
 *
 * <p>A module owns its parameters and buffers even if it was built inside a {@code TensorScope};
 * {@link #close()} frees them. Modules start in training mode (dropout active).
 */
public abstract class Module implements AutoCloseable {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private final List<Tensor> buffers = new ArrayList<>();
    private final List<SeedSequence> seedSequences = new ArrayList<>();
    private volatile boolean training = true;
    private int inferenceHolds; // guarded by this: threads generating with this model (see holdForInference)
    private boolean trainingBeforeHolds;
    private boolean closed;

    /** Registers a trainable parameter: takes it out of any scope and marks it requiresGrad. */
    protected final Tensor registerParameter(String name, Tensor value) {
        checkName(name);
        value.detachFromScope();
        if (!value.requiresGrad()) {
            value.requiresGrad(true);
        }
        parameters.put(name, value);
        return value;
    }

    /** Registers a sub-module under {@code name}. */
    protected final <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    /** Registers a constant tensor (a table, a mask) this module owns and frees on close. */
    protected final Tensor registerBuffer(Tensor value) {
        value.detachFromScope();
        buffers.add(value);
        return value;
    }

    /** Registers a stream of random seeds (dropout masks) so that {@link #randomState()} includes its position. */
    protected final SeedSequence registerSeeds(SeedSequence seeds) {
        seedSequences.add(seeds);
        return seeds;
    }

    /**
     * The positions of every random stream of this module and its descendants, in a fixed order: saved
     * with a training checkpoint, they let a resumed run draw the same dropout masks as an
     * uninterrupted one.
     */
    public long[] randomState() {
        List<SeedSequence> all = new ArrayList<>();
        collectSeeds(all);
        long[] state = new long[all.size()];
        for (int i = 0; i < state.length; i++) {
            state[i] = all.get(i).state();
        }
        return state;
    }

    /** Restores positions saved by {@link #randomState()} from a module of the same structure. */
    public void setRandomState(long[] state) {
        List<SeedSequence> all = new ArrayList<>();
        collectSeeds(all);
        if (state.length != all.size()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has " + all.size() + " random streams, the saved state has "
                    + state.length);
        }
        for (int i = 0; i < state.length; i++) {
            all.get(i).setState(state[i]);
        }
    }

    private void collectSeeds(List<SeedSequence> out) {
        out.addAll(seedSequences);
        for (Module m : children.values()) {
            m.collectSeeds(out);
        }
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("module/parameter name must be non-empty and contain no '.', got '" + name + "'");
        }
        if (parameters.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("name '" + name + "' is already registered in " + getClass().getSimpleName());
        }
    }

    /**
     * Every parameter of this module and its descendants by dotted name, in registration order.
     * A tensor shared by two modules (tied weights) appears once, under its first name.
     */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, Collections.newSetFromMap(new IdentityHashMap<>()));
        return out;
    }

    private void collect(String prefix, Map<String, Tensor> out, Set<Tensor> seen) {
        for (Map.Entry<String, Tensor> e : parameters.entrySet()) {
            if (seen.add(e.getValue())) {
                out.put(prefix + e.getKey(), e.getValue());
            }
        }
        for (Map.Entry<String, Module> e : children.entrySet()) {
            e.getValue().collect(prefix + e.getKey() + ".", out, seen);
        }
    }

    /** The parameters in {@link #namedParameters()} order. */
    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** The parameter with this dotted name. */
    public Tensor parameter(String name) {
        Tensor t = namedParameters().get(name);
        if (t == null) {
            throw new IllegalArgumentException("no parameter named '" + name + "' in " + getClass().getSimpleName()
                    + "; parameters: " + namedParameters().keySet());
        }
        return t;
    }

    /** Total number of parameter elements (shared tensors counted once). */
    public long parameterCount() {
        long n = 0;
        for (Tensor t : namedParameters().values()) {
            n += t.shape().numel();
        }
        return n;
    }

    /** Direct sub-modules by name. */
    public Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Training mode: dropout active. Applies to every descendant. Returns this. */
    public Module train() {
        return train(true);
    }

    /** Evaluation mode: dropout off. Applies to every descendant. Returns this. */
    public Module eval() {
        return train(false);
    }

    /**
     * Sets the mode of this module and every descendant.
     *
     * @throws IllegalStateException turning training on while another thread generates with the model ({@link #holdForInference})
     */
    public synchronized Module train(boolean on) {
        if (on && inferenceHolds > 0) {
            throw new IllegalStateException(getClass().getSimpleName() + " is generating on " + inferenceHolds + " thread(s): training mode "
                    + "would turn dropout on under them");
        }
        setMode(on);
        return this;
    }

    private void setMode(boolean on) {
        training = on;
        for (Module m : children.values()) {
            m.setMode(on);
        }
    }

    /** Evaluation mode while a thread generates; shared by concurrent holders, the last one to close restores the mode before the first. */
    public final class InferenceHold implements AutoCloseable {
        private boolean released;

        private InferenceHold() {
        }

        @Override
        public void close() {
            synchronized (Module.this) {
                if (released) {
                    return;
                }
                released = true;
                if (--inferenceHolds == 0) {
                    setMode(trainingBeforeHolds);
                }
            }
        }
    }

    /**
     * Puts the module in evaluation mode (dropout off) until the returned hold is closed. Any
     * number of threads may hold it at once (each generating with the module); while one does,
     * {@link #train(boolean) train(true)} and {@link #close()} are refused, and the mode from
     * before the first hold comes back when the last one closes.
     *
     * @throws IllegalStateException if the module is closed
     */
    public synchronized InferenceHold holdForInference() {
        if (closed) {
            throw new IllegalStateException(getClass().getSimpleName() + " is closed");
        }
        if (inferenceHolds++ == 0) {
            trainingBeforeHolds = training;
            setMode(false);
        }
        return new InferenceHold();
    }

    public boolean isTraining() {
        return training;
    }

    /** Drops the accumulated gradient of every parameter. */
    public void zeroGrad() {
        for (Tensor t : namedParameters().values()) {
            t.zeroGrad();
        }
    }

    /**
     * Replaces every parameter's values with the tensor of the same name, taking over its storage
     * (the given tensors are closed). Every parameter must be present with its exact shape and
     * dtype, and no other name may appear; on any mismatch nothing is changed.
     */
    public void loadParameters(Map<String, Tensor> values) {
        Map<String, Tensor> own = namedParameters();
        List<String> problems = new ArrayList<>();
        Set<String> missing = new TreeSet<>(own.keySet());
        missing.removeAll(values.keySet());
        Set<String> unexpected = new TreeSet<>(values.keySet());
        unexpected.removeAll(own.keySet());
        if (!missing.isEmpty()) {
            problems.add("missing " + missing);
        }
        if (!unexpected.isEmpty()) {
            problems.add("unexpected " + unexpected);
        }
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor src = values.get(e.getKey());
            Tensor dst = e.getValue();
            if (src != null && (!src.shape().equals(dst.shape()) || src.dtype() != dst.dtype() || src.backend() != dst.backend())) {
                problems.add(e.getKey() + ": expected " + dst.describe() + ", found " + src.describe());
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": parameters do not match: " + String.join("; ", problems));
        }
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor src = values.get(e.getKey());
            if (src != e.getValue()) {
                src.detachFromScope();
                e.getValue().replaceWith(src);
            }
        }
    }

    /**
     * Frees every parameter and buffer of this module and its descendants.
     *
     * @throws IllegalStateException while a thread generates with it ({@link #holdForInference})
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        if (inferenceHolds > 0) {
            throw new IllegalStateException("cannot close " + getClass().getSimpleName() + ": " + inferenceHolds + " thread(s) are "
                    + "generating with it; close it when they are done");
        }
        closed = true;
        for (Module m : children.values()) {
            m.close();
        }
        for (Tensor t : parameters.values()) {
            t.close();
        }
        for (Tensor t : buffers) {
            t.close();
        }
    }
}
