package ai.fastai4j.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/** A parameter's gradient, read straight from the engine (cheaper than DJL's {@code getGradient()}). */
public final class Gradients {

    private Gradients() {
    }

    /**
     * The gradient of {@code param}, or null when it has none (never took part in a backward pass). The array is
     * a new handle on the gradient's memory, registered in the innermost open {@code NDScope}: close it (or let
     * the scope close it); closing it leaves the gradient itself alone.
     */
    public static NDArray of(NDArray param) {
        if (param instanceof PtNDArray p) {
            return JniUtils.getGradient(p);
        }
        return param.hasGradient() ? param.getGradient() : null;
    }

    /** Zeroes the gradient of {@code param} in place (no-op when it has none or is not a tensor of the engine). */
    public static void zero(NDArray param) {
        if (param instanceof PtNDArray p) {
            JniUtils.zeroGrad(p);
        }
    }
}
