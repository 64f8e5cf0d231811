package dev.llmforge.nn.functional;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import org.junit.jupiter.api.Test;

class LogSigmoidTest {
    static final double[] X = {-200, -30, -2.5, 0, 1, 30, 200};

    @Test
    void valuesAndGradientsStayFiniteAndExactAtBothEnds() {
        try (TensorScope ignored = TensorScope.open()) {
            Tensor x = Tensor.on(Backends.get("reference")).of(X, X.length).requiresGrad(true);
            Tensor y = F.logSigmoid(x);
            y.sum().backward();
            double[] values = y.toDoubleArray();
            double[] grads = x.grad().toDoubleArray();
            for (int i = 0; i < X.length; i++) {
                double sigmoid = 1 / (1 + Math.exp(-X[i]));
                // log σ(x): ≈ x far left (where 1 / (1 + e^-x) underflows), ln 2 at 0, ≈ -e^-x far right
                double expected = X[i] < -20 ? X[i] : Math.log(sigmoid);
                assertEquals(expected, values[i], 1e-6 * Math.max(1, Math.abs(expected)), "log σ(" + X[i] + ")");
                assertEquals(1 - sigmoid, grads[i], 1e-6, "d/dx log σ(x) = σ(-x) at " + X[i]);
            }
            assertEquals(-Math.log(2), values[3], 1e-7);
        }
    }
}
