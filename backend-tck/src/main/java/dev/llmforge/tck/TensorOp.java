package dev.llmforge.tck;

import dev.llmforge.tensor.Tensor;
import java.util.List;

/** An operation under test, applied to tensors made from a case's {@link HostTensor} inputs. */
@FunctionalInterface
interface TensorOp {
    Tensor apply(List<Tensor> inputs);
}
