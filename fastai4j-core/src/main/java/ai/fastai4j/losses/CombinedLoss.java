package ai.fastai4j.losses;

import ai.djl.ndarray.NDArray;

/**
 * A segmentation loss as in fastai's docs: {@code CrossEntropyLossFlat(axis=1) + alpha * DiceLoss}, decoding
 * with the argmax over axis 1.
 */
public final class CombinedLoss implements LossFunction {
    private final LossFunction ce = Losses.crossEntropy();
    private final DiceLoss dice;
    private final float alpha;

    CombinedLoss(float alpha, float smooth) {
        this.alpha = alpha;
        this.dice = new DiceLoss(smooth, false);
    }

    public float alpha() {
        return alpha;
    }

    public float smooth() {
        return dice.smooth();
    }

    @Override
    public NDArray perItem(NDArray pred, NDArray target) {
        return ce.perItem(pred, target).add(dice.perItem(pred, target).mul(alpha));
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
        return "CombinedLoss(alpha=" + alpha + ")";
    }
}
