package ai.fastai4j.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Predictions over a data set (fastai's get_preds): activated outputs, targets and per-item losses (null at
 * inference), decoded outputs. Owns their native memory: close it.
 */
public final class Preds implements AutoCloseable {
    private final NDManager manager;
    private final NDArray probs;
    private final NDArray targets;
    private final NDArray losses;
    private final NDArray decoded;

    Preds(NDManager manager, NDArray probs, NDArray targets, NDArray losses, NDArray decoded) {
        this.manager = manager;
        this.probs = probs;
        this.targets = targets;
        this.losses = losses;
        this.decoded = decoded;
    }

    /** Activated outputs (probabilities for classification). */
    public NDArray probs() {
        return probs;
    }

    /** Targets, or null when the data had none. */
    public NDArray targets() {
        return targets;
    }

    /** Loss of each item, or null when the data had no targets. */
    public NDArray losses() {
        return losses;
    }

    /** Decisions: class indices, thresholded labels, or values. */
    public NDArray decoded() {
        return decoded;
    }

    @Override
    public void close() {
        manager.close();
    }
}
