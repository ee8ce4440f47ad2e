package ai.fastai4j.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/** libtorch's fused recurrent kernels ({@code torch::lstm}), the one place that reaches them through DJL's JNI. */
public final class RecurrentKernels {
    private RecurrentKernels() {}

    /**
     * One single-direction LSTM layer over a whole sequence, as {@code torch.nn.LSTM(num_layers=1)} runs it:
     * gates in PyTorch's order (input, forget, cell, output).
     *
     * @param input (batch, seq, in) when {@code batchFirst}, else (seq, batch, in)
     * @param h0 initial hidden state (1, batch, hidden)
     * @param c0 initial cell state (1, batch, hidden)
     * @param weightIh (4*hidden, in)
     * @param weightHh (4*hidden, hidden)
     * @param biasIh (4*hidden), or null together with {@code biasHh} for no bias
     * @param biasHh (4*hidden), or null
     * @return output (same layout as the input, last axis hidden), final hidden and final cell state
     *
     * <p>The kernel always runs with autograd on: with grad mode off, libtorch 2.7.1's CPU LSTM (the path DJL
     * reaches) returns outputs that differ from {@code torch.nn.LSTM}'s by up to 0.24 on unit-scale inputs
     * (LSTMParityTest checks both modes). Under grad mode off the outputs are detached from the graph at once.
     */
    public static NDList lstm(NDArray input, NDArray h0, NDArray c0, NDArray weightIh, NDArray weightHh,
            NDArray biasIh, NDArray biasHh, boolean training, boolean batchFirst) {
        boolean hasBias = biasIh != null;
        if (hasBias != (biasHh != null)) {
            throw new IllegalArgumentException("give both LSTM biases or neither");
        }
        NDList params = hasBias ? new NDList(weightIh, weightHh, biasIh, biasHh) : new NDList(weightIh, weightHh);
        boolean gradMode = JniUtils.isGradMode();
        if (gradMode) {
            return JniUtils.lstm((PtNDArray) input, new NDList(h0, c0), params, hasBias, 1, 0.0, training, false,
                    batchFirst);
        }
        NDList withGraph;
        JniUtils.setGradMode(true);
        try {
            withGraph = JniUtils.lstm((PtNDArray) input, new NDList(h0, c0), params, hasBias, 1, 0.0, training,
                    false, batchFirst);
        } finally {
            JniUtils.setGradMode(false);
        }
        NDList detached = new NDList(withGraph.size());
        for (NDArray a : withGraph) {
            detached.add(a.stopGradient());
            a.close(); // drops the graph built for the workaround
        }
        return detached;
    }
}
