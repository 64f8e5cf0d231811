package dev.llmforge.autograd;

import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reverse-mode differentiation over the graph recorded by {@link Node}. Gradients accumulate into
 * the {@code grad()} of leaves that require them (adding to what earlier backward calls left).
 * Intermediate gradients are freed as soon as they have been used.
 */
public final class Autograd {
    private Autograd() {
    }

    /** Backpropagates from {@code root}; {@code seed} null means 1 for a one-element root. */
    public static void backward(Tensor root, Tensor seed) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward: " + root.describe() + " does not require a gradient"
                    + " (no input had requiresGrad(true), or it was computed under GradMode.noGrad())");
        }
        if (seed == null && root.shape().numel() != 1) {
            throw new IllegalArgumentException("backward() without a seed needs a one-element tensor, got " + root.shape());
        }
        if (seed != null && !seed.shape().equals(root.shape())) {
            throw new IllegalArgumentException("backward: seed shape " + seed.shape() + " does not match " + root.shape());
        }
        try (GradMode.Restore ignored = GradMode.noGrad()) {
            new Pass(root).run(seed != null ? seed : Tensor.on(root.backend(), root.device()).ones(root.shape(), root.dtype()), seed == null);
        }
    }

    /** One backward pass: gradients in flight, with use counts so each is freed after its last use. */
    private static final class Pass {
        private final List<Tensor> order;
        private final Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        private final Map<Tensor, Integer> uses = new IdentityHashMap<>();
        private final Set<Tensor> keep = Collections.newSetFromMap(new IdentityHashMap<>());

        Pass(Tensor root) {
            if (root.isClosed()) {
                throw new IllegalStateException("backward: " + root + " is closed");
            }
            this.order = topologicalOrder(root);
        }

        void run(Tensor seed, boolean ownsSeed) {
            if (!ownsSeed) {
                keep.add(seed);
            }
            give(order.get(0), seed);
            for (Tensor t : order) {
                Tensor g = grads.remove(t);
                if (g == null) {
                    continue;
                }
                Node node = t.gradFn();
                if (node == null) {
                    accumulateIntoLeaf(t, g);
                } else {
                    Tensor[] inputGrads = runBackward(node, g);
                    List<Tensor> inputs = node.inputs();
                    for (int i = 0; i < inputs.size(); i++) {
                        Tensor in = inputs.get(i);
                        if (in != null && in.requiresGrad() && inputGrads[i] != null) {
                            give(in, inputGrads[i]);
                        }
                    }
                }
                release(g);
            }
        }

        /** Runs one node's rule in its own scope, so its temporaries are freed at once. */
        private static Tensor[] runBackward(Node node, Tensor g) {
            try (TensorScope scope = TensorScope.open()) {
                Tensor[] grads = node.backward(g);
                for (Tensor r : grads) {
                    if (r != null && r.scope() == scope) {
                        scope.keep(r);
                    }
                }
                return grads;
            }
        }

        private void give(Tensor target, Tensor g) {
            if (!g.shape().equals(target.shape())) {
                throw new IllegalStateException("autograd: gradient " + g.shape() + " for tensor " + target.shape()
                        + " (produced by " + (target.gradFn() == null ? "a leaf" : target.gradFn().name()) + ")");
            }
            uses.merge(g, 1, Integer::sum);
            Tensor previous = grads.get(target);
            if (previous == null) {
                grads.put(target, g);
                return;
            }
            Tensor total = Ops.add(previous, g);
            uses.merge(total, 1, Integer::sum);
            grads.put(target, total);
            release(previous);
            release(g);
        }

        private void accumulateIntoLeaf(Tensor leaf, Tensor g) {
            if (!leaf.requiresGrad()) {
                return;
            }
            Tensor old = leaf.grad();
            if (old == null) {
                boolean sharedElsewhere = uses.get(g) > 1 || keep.contains(g);
                Tensor own = sharedElsewhere ? Ops.mul(g, g.scalarLike(1)) : g;
                keep.add(own);
                leaf.setGrad(own);
            } else {
                leaf.setGrad(Ops.add(old, g));
            }
        }

        private void release(Tensor g) {
            int left = uses.merge(g, -1, Integer::sum);
            if (left <= 0) {
                uses.remove(g);
                if (!keep.contains(g)) {
                    g.close();
                }
            }
        }

        /** Tensors reachable from root, each after every tensor that consumes it. */
        private static List<Tensor> topologicalOrder(Tensor root) {
            List<Tensor> postOrder = new ArrayList<>();
            Set<Tensor> visited = Collections.newSetFromMap(new IdentityHashMap<>());
            Deque<Object[]> stack = new ArrayDeque<>();
            stack.push(new Object[] {root, 0});
            visited.add(root);
            while (!stack.isEmpty()) {
                Object[] frame = stack.peek();
                Tensor t = (Tensor) frame[0];
                int next = (Integer) frame[1];
                List<Tensor> inputs = t.gradFn() == null ? List.of() : t.gradFn().inputs();
                if (next < inputs.size()) {
                    frame[1] = next + 1;
                    Tensor in = inputs.get(next);
                    if (in != null && in.isClosed()) {
                        throw new IllegalStateException("backward: an input of " + t.gradFn().name() + " (" + in
                                + ") is closed; call backward() before the TensorScope holding the forward pass ends");
                    }
                    if (in != null && in.requiresGrad() && visited.add(in)) {
                        stack.push(new Object[] {in, 0});
                    }
                } else {
                    stack.pop();
                    postOrder.add(t);
                }
            }
            Collections.reverse(postOrder);
            return postOrder;
        }
    }
}
