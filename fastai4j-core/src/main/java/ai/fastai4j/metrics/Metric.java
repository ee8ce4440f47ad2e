package ai.fastai4j.metrics;

import ai.djl.ndarray.NDArray;

/**
 * A metric accumulated over the batches of an epoch, like fastai's {@code AccumMetric}: it copies what it
 * needs out of each batch to Java memory, so it holds no native arrays.
 */
public interface Metric {

    /** Column name in the epoch table, e.g. {@code accuracy}. */
    String name();

    /** Starts a new epoch. */
    void reset();

    /** Adds one batch: raw model outputs and targets. */
    void accumulate(NDArray pred, NDArray target);

    /** The value over everything accumulated since {@link #reset}; NaN when nothing was seen. */
    double value();
}
