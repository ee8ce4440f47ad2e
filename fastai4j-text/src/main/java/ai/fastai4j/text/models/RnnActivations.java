package ai.fastai4j.text.models;

import ai.djl.ndarray.NDArray;

/**
 * What a recurrent model exposes of its last forward for {@link ai.fastai4j.text.learner.RNNRegularizer}
 * (fastai's {@code RNNCallback} reads the same from the model's extra outputs): the last LSTM layer's output, and
 * that output after the dropout that follows it. Both are arrays of the current step, valid until it ends.
 */
public interface RnnActivations {
    /** The last layer's output before dropout, or null before any forward. */
    NDArray rawOutput();

    /** The last layer's output after its dropout, or null before any forward. */
    NDArray droppedOutput();
}
