package ai.fastai4j.losses;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * fastai's {@code DiceLoss} for segmentation: softmax over axis 1, the target one-hot, per item and class
 * {@code 1 - (2 sum(p t) + smooth) / (sum(p + t) + smooth)} (or {@code sum(p^2 + t)} in the union with
 * {@code squareInUnion}), summed over classes. fastai reduces with "sum" over the batch; {@link #compute} here
 * is the mean over items of that per-item sum, so that losses of different batch sizes compare (the gradient
 * is fastai's divided by the batch size).
 */
public final class DiceLoss implements LossFunction {
    private final float smooth;
    private final boolean squareInUnion;

    DiceLoss(float smooth, boolean squareInUnion) {
        if (!(smooth >= 0)) {
            throw new IllegalArgumentException("smooth must be >= 0, got " + smooth);
        }
        this.smooth = smooth;
        this.squareInUnion = squareInUnion;
    }

    public float smooth() {
        return smooth;
    }

    public boolean squareInUnion() {
        return squareInUnion;
    }

    @Override
    public NDArray perItem(NDArray pred, NDArray target) {
        Shape s = pred.getShape();
        if (s.dimension() < 3) {
            throw new IllegalArgumentException("DiceLoss needs (N, C, ...) predictions, got " + s);
        }
        long n = s.get(0);
        long c = s.get(1);
        NDArray p = pred.softmax(1).reshape(n, c, -1);
        NDArray t = target.toType(DataType.INT64, false).reshape(n, -1);
        if (t.getShape().get(1) != p.getShape().get(2)) {
            throw new IllegalArgumentException("DiceLoss: prediction " + s + " and target " + target.getShape()
                    + " differ in size");
        }
        NDArray oneHot = t.oneHot((int) c).transpose(0, 2, 1).toType(p.getDataType(), false); // (N, C, L)
        NDArray inter = p.mul(oneHot).sum(new int[] {2});
        NDArray union = (squareInUnion ? p.square() : p).add(oneHot).sum(new int[] {2});
        NDArray dice = inter.mul(2).add(smooth).div(union.add(smooth));
        return dice.neg().add(1).sum(new int[] {1});
    }

    @Override
    public NDArray activation(NDArray pred) {
        return pred.softmax(1);
    }

    @Override
    public NDArray decode(NDArray activated) {
        return activated.argMax(1);
    }

    @Override
    public String name() {
        return "DiceLoss";
    }
}
