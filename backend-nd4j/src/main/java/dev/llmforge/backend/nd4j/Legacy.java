package dev.llmforge.backend.nd4j;

import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarAdd;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarSet;
import org.nd4j.linalg.api.ops.impl.transforms.floating.RSqrt;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.api.ops.impl.transforms.same.Negative;
import org.nd4j.linalg.api.ops.impl.transforms.same.Reciprocal;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;

/** The libnd4j legacy (numbered) transforms and scalar ops the backend calls. */
enum Legacy {
    NEG(new Negative()),
    EXP(new Exp()),
    LOG(new Log()),
    SQRT(new Sqrt()),
    RSQRT(new RSqrt()),
    TANH(new Tanh()),
    SIGMOID(new Sigmoid()),
    RECIPROCAL(new Reciprocal()),
    ERF(new Erf()),
    SCALAR_SET(new ScalarSet()),
    SCALAR_ADD(new ScalarAdd()),
    SCALAR_MUL(new ScalarMultiplication());

    private final Op.Type type;
    private final int number;

    Legacy(DifferentialFunction op) {
        this.type = op.opType();
        this.number = op.opNum();
    }

    Op.Type type() {
        return type;
    }

    int number() {
        return number;
    }
}
