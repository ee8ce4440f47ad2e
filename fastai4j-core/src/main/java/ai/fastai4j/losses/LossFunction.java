package ai.fastai4j.losses;

import ai.djl.ndarray.NDArray;

/**
 * A loss that also knows how to turn raw model outputs into probabilities ({@link #activation}) and
 * decisions ({@link #decode}), like fastai's {@code BaseLoss}.
 */
public interface LossFunction {

    /** Loss per sample (flattened axes averaged per sample where needed); shape (N). */
    NDArray perItem(NDArray pred, NDArray target);

    /** Mean loss over the batch, a scalar. */
    default NDArray compute(NDArray pred, NDArray target) {
        return perItem(pred, target).mean();
    }

    /** Raw outputs to probabilities (softmax, sigmoid) or identity. */
    default NDArray activation(NDArray pred) {
        return pred;
    }

    /** Activated outputs to decisions (argmax, threshold) or identity. */
    default NDArray decode(NDArray activated) {
        return activated;
    }

    /** A name for the export manifest and summaries. */
    String name();
}
