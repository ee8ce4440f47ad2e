package ai.fastai4j.text.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.nn.Module;

/**
 * fastai's {@code RNNDropout}: variational ("locked") dropout, one mask per sequence and feature shared by every
 * time step of a (batch, seq, features) input. Active only in training mode.
 */
public final class RNNDropout extends Module {
    private final float p;

    public RNNDropout(float p) {
        if (p < 0 || p >= 1) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        this.p = p;
    }

    public float p() {
        return p;
    }

    @Override
    public NDArray forward(NDArray x) {
        if (!isTraining() || p == 0f) {
            return x;
        }
        Shape s = x.getShape();
        long[] maskShape = s.getShape().clone();
        maskShape[1] = 1;
        return x.mul(dropoutMask(x, new Shape(maskShape), p));
    }

    /** fastai's {@code dropout_mask}: zeros with probability p, else 1/(1-p), in x's type and device. */
    static NDArray dropoutMask(NDArray like, Shape shape, float p) {
        NDArray ones = like.getManager().ones(shape, like.getDataType(), like.getDevice());
        return ai.djl.nn.norm.Dropout.dropout(ones, p, true).singletonOrThrow();
    }

    @Override
    public String toString() {
        return "RNNDropout(" + p + ")";
    }
}
