package ai.fastai4j.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/** Native kernels that DJL's NDArray API does not offer, called directly. */
public final class Kernels {

    private Kernels() {
    }

    /** Hyper-parameters of one {@link #adamUpdate} call (see there for the formula). */
    public record AdamArgs(float lr, float lrBiasCorrected, float wd, float mom, float sqrMom, float eps) {
    }

    /** Whether {@link #adamUpdate} accepts {@code a} as a weight or state: a FLOAT32 tensor of the engine. */
    public static boolean adamAccepts(NDArray a) {
        return a instanceof PtNDArray && a.getDataType() == DataType.FLOAT32;
    }

    /**
     * Adam with decoupled weight decay in one native call, in place on {@code w}, {@code m} and {@code v}:
     * <pre>
     *   w -= lr*wd*w;  m = mom*m + (1-mom)*g;  v = sqrMom*v + (1-sqrMom)*g*g;  w -= lrBiasCorrected * m / (sqrt(v) + eps)
     * </pre>
     * No gradient rescaling or clipping. All four arrays must be FLOAT32 tensors of the engine with the same
     * shape and device ({@link #adamAccepts}).
     */
    public static void adamUpdate(NDArray w, NDArray grad, NDArray m, NDArray v, AdamArgs a) {
        // rescale_grad 1 and clip_grad -1: neither rescaling nor clipping; adamw: decoupled weight decay
        JniUtils.adamUpdate(pt(w), pt(grad), pt(m), pt(v), a.lr(), a.lrBiasCorrected(), a.wd(), 1f, -1f, a.mom(),
                a.sqrMom(), a.eps(), true);
    }

    /** 2-d adaptive average pooling of an NCHW tensor to {@code size x size} (torch's {@code adaptive_avg_pool2d}). */
    public static NDArray adaptiveAvgPool2d(NDArray x, int size) {
        return JniUtils.adaptiveAvgPool(pt(x), new Shape(size, size));
    }

    /** Rows of {@code weight} picked by the integer {@code indices} (torch's {@code embedding}, differentiable). */
    public static NDArray embedding(NDArray indices, NDArray weight) {
        return JniUtils.embedding(pt(indices), pt(weight), false);
    }

    private static PtNDArray pt(NDArray a) {
        if (a instanceof PtNDArray p) {
            return p;
        }
        throw new IllegalArgumentException("not a PyTorch tensor: " + a.getClass().getName()
                + " (fastai4j runs on DJL's PyTorch engine)");
    }
}
