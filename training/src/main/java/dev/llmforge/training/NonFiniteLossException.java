package dev.llmforge.training;

/** A training step produced a NaN or infinite loss or gradient norm (with {@link TrainingConfig.NonFinitePolicy#STOP}). */
public final class NonFiniteLossException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long step;
    private final double loss;
    private final double gradNorm;

    public NonFiniteLossException(long step, double loss, double gradNorm, String advice) {
        super("training stopped at step " + step + ": " + (Double.isFinite(loss) ? "gradient norm is " + gradNorm : "loss is " + loss)
                + " (" + advice + ")");
        this.step = step;
        this.loss = loss;
        this.gradNorm = gradNorm;
    }

    /** The step (counting from 1) whose loss or gradient norm was not finite. */
    public long step() {
        return step;
    }

    public double loss() {
        return loss;
    }

    public double gradNorm() {
        return gradNorm;
    }
}
