package ai.fastai4j.losses;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** fastai's default losses: flattened cross-entropy, BCE with logits, MSE, label smoothing. */
public final class Losses {
    private Losses() {}

    /** Cross-entropy over the class axis (last axis for (N, C), axis 1 for (N, C, H, W) segmentation). */
    public static LossFunction crossEntropy() {
        return new CrossEntropyFlat(0f);
    }

    /** fastai's LabelSmoothingCrossEntropyFlat: {@code (1-eps) * nll + eps * mean(-log p) over classes}. */
    public static LossFunction labelSmoothingCrossEntropy(float eps) {
        if (eps < 0 || eps >= 1) {
            throw new IllegalArgumentException("eps must be in [0, 1), got " + eps);
        }
        return new CrossEntropyFlat(eps);
    }

    /** Binary cross-entropy on logits for multi-label targets; decodes with {@code threshold} on the sigmoid. */
    public static LossFunction bceWithLogits(float threshold) {
        return new BceWithLogitsFlat(threshold);
    }

    /** BCE with logits and fastai's default threshold 0.5. */
    public static LossFunction bceWithLogits() {
        return bceWithLogits(0.5f);
    }

    /** fastai's {@code DiceLoss(axis=1, smooth=1e-6)} for segmentation masks. */
    public static LossFunction dice() {
        return new DiceLoss(1e-6f, false);
    }

    /** fastai's {@code DiceLoss} with its {@code smooth} and {@code square_in_union} settings. */
    public static LossFunction dice(float smooth, boolean squareInUnion) {
        return new DiceLoss(smooth, squareInUnion);
    }

    /** Cross-entropy over axis 1 plus {@code alpha} times the Dice loss (smooth 1, as fastai's docs). */
    public static LossFunction crossEntropyPlusDice(float alpha) {
        return new CombinedLoss(alpha, 1f);
    }

    /** Mean squared error on flattened outputs. */
    public static LossFunction mse() {
        return new MseFlat();
    }

    /** Moves the class axis of (N, C, ...) to the end and flattens to (M, C); (N, C) is returned as is. */
    static NDArray flattenClasses(NDArray pred) {
        Shape s = pred.getShape();
        if (s.dimension() == 2) {
            return pred;
        }
        int nd = s.dimension();
        int[] axes = new int[nd];
        axes[0] = 0;
        for (int i = 1; i < nd - 1; i++) {
            axes[i] = i + 1;
        }
        axes[nd - 1] = 1;
        return pred.transpose(axes).reshape(-1, s.get(1));
    }

    static final class CrossEntropyFlat implements LossFunction {
        private final float eps;

        CrossEntropyFlat(float eps) {
            this.eps = eps;
        }

        @Override
        public NDArray perItem(NDArray pred, NDArray target) {
            long n = pred.getShape().get(0);
            NDArray logp = flattenClasses(pred).logSoftmax(-1);
            NDArray t = target.toType(DataType.INT64, false).reshape(-1, 1);
            NDArray nll = logp.gather(t, 1).neg().reshape(-1);
            NDArray loss = nll;
            if (eps > 0) {
                long c = logp.getShape().get(1);
                NDArray smooth = logp.sum(new int[] {1}).neg().div(c);
                loss = nll.mul(1 - eps).add(smooth.mul(eps));
            }
            // per sample: average over the spatial positions of a segmentation mask
            return loss.reshape(n, -1).mean(new int[] {1});
        }

        @Override
        public NDArray activation(NDArray pred) {
            return pred.softmax(pred.getShape().dimension() == 2 ? -1 : 1);
        }

        @Override
        public NDArray decode(NDArray activated) {
            return activated.argMax(activated.getShape().dimension() == 2 ? -1 : 1);
        }

        @Override
        public String name() {
            return eps > 0 ? "LabelSmoothingCrossEntropyFlat(eps=" + eps + ")" : "CrossEntropyLossFlat";
        }
    }

    static final class BceWithLogitsFlat implements LossFunction {
        private final float threshold;

        BceWithLogitsFlat(float threshold) {
            this.threshold = threshold;
        }

        public float threshold() {
            return threshold;
        }

        @Override
        public NDArray perItem(NDArray pred, NDArray target) {
            long n = pred.getShape().get(0);
            NDArray x = pred.reshape(n, -1);
            NDArray y = target.toType(DataType.FLOAT32, false).reshape(n, -1);
            // max(x, 0) - x*y + log(1 + exp(-|x|)): stable for large |x|
            NDArray loss = x.maximum(0f).sub(x.mul(y)).add(x.abs().neg().exp().add(1f).log());
            return loss.mean(new int[] {1});
        }

        @Override
        public NDArray activation(NDArray pred) {
            return ai.djl.nn.Activation.sigmoid(pred);
        }

        @Override
        public NDArray decode(NDArray activated) {
            return activated.gt(threshold);
        }

        @Override
        public String name() {
            return "BCEWithLogitsLossFlat(thresh=" + threshold + ")";
        }
    }

    static final class MseFlat implements LossFunction {
        @Override
        public NDArray perItem(NDArray pred, NDArray target) {
            long n = pred.getShape().get(0);
            NDArray d = pred.reshape(n, -1).sub(target.toType(pred.getDataType(), false).reshape(n, -1));
            return d.mul(d).mean(new int[] {1});
        }

        @Override
        public String name() {
            return "MSELossFlat";
        }
    }
}
