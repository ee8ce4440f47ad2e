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
    private final int[] itemIndices;

    Preds(NDManager manager, NDArray probs, NDArray targets, NDArray losses, NDArray decoded, int[] itemIndices) {
        this.manager = manager;
        this.probs = probs;
        this.targets = targets;
        this.losses = losses;
        this.decoded = decoded;
        this.itemIndices = itemIndices;
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

    /**
     * For each row, the index of its item in the loader it came from (row order follows the loader's order, which
     * a shuffling loader changes from epoch to epoch); a copy.
     */
    public int[] itemIndices() {
        return itemIndices.clone();
    }

    @Override
    public void close() {
        manager.close();
    }
}
