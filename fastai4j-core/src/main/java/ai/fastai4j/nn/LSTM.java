package ai.fastai4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.engine.RecurrentKernels;

/**
 * One batch-first LSTM layer on libtorch's fused kernel, with {@code torch.nn.LSTM}'s parameter names
 * ({@code weight_ih_l0}, {@code weight_hh_l0}, {@code bias_ih_l0}, {@code bias_hh_l0}), gate order and initial
 * values (uniform in +-1/sqrt(hidden)), so that PyTorch weights load by name. Stack layers of different sizes
 * by composing several (as the AWD-LSTM does).
 */
public final class LSTM extends Module {
    private final int inputSize;
    private final int hiddenSize;
    private final Parameter weightIh;
    private final Parameter weightHh;
    private final Parameter biasIh;
    private final Parameter biasHh;

    /** Hidden and cell state, each (1, batch, hidden). */
    public record State(NDArray h, NDArray c) {}

    /** The output sequence (batch, seq, hidden) and the final state. */
    public record Output(NDArray output, State state) {}

    /** A layer with biases. */
    public LSTM(NDManager m, int inputSize, int hiddenSize) {
        if (inputSize < 1 || hiddenSize < 1) {
            throw new IllegalArgumentException("LSTM sizes must be positive, got " + inputSize + " -> " + hiddenSize);
        }
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.weightIh = parameter("weight_ih_l0", Parameter.Kind.WEIGHT,
                uniformFanIn(m, new Shape(4L * hiddenSize, inputSize), hiddenSize));
        this.weightHh = parameter("weight_hh_l0", Parameter.Kind.WEIGHT,
                uniformFanIn(m, new Shape(4L * hiddenSize, hiddenSize), hiddenSize));
        this.biasIh = parameter("bias_ih_l0", Parameter.Kind.BIAS, uniformFanIn(m, new Shape(4L * hiddenSize), hiddenSize));
        this.biasHh = parameter("bias_hh_l0", Parameter.Kind.BIAS, uniformFanIn(m, new Shape(4L * hiddenSize), hiddenSize));
    }

    public int inputSize() {
        return inputSize;
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    public Parameter weightIh() {
        return weightIh;
    }

    public Parameter weightHh() {
        return weightHh;
    }

    public Parameter biasIh() {
        return biasIh;
    }

    public Parameter biasHh() {
        return biasHh;
    }

    /** Zero hidden and cell states for {@code batchSize} sequences, in {@code m}. */
    public State zeroState(NDManager m, long batchSize) {
        Shape s = new Shape(1, batchSize, hiddenSize);
        NDArray h = m.zeros(s, weightIh.data().getDataType(), weightIh.data().getDevice());
        NDArray c = m.zeros(s, weightIh.data().getDataType(), weightIh.data().getDevice());
        return new State(h, c);
    }

    /** Runs the sequence from zero states and returns the output sequence. */
    @Override
    public NDArray forward(NDArray x) {
        return forward(x, null).output();
    }

    /** Runs the sequence {@code x} (batch, seq, input) from {@code state} (zeros when null). */
    public Output forward(NDArray x, State state) {
        return forward(x, state, weightHh.data());
    }

    /**
     * Runs the sequence with {@code hiddenWeight} in place of {@code weight_hh_l0}, the hook for weight
     * dropout: the kernel sees the given matrix, the parameter itself is untouched.
     */
    public Output forward(NDArray x, State state, NDArray hiddenWeight) {
        Shape s = x.getShape();
        if (s.dimension() != 3 || s.get(2) != inputSize) {
            throw new IllegalArgumentException("LSTM expects (batch, seq, " + inputSize + "), got " + s);
        }
        if (!hiddenWeight.getShape().equals(weightHh.data().getShape())) {
            throw new IllegalArgumentException("hidden weight must be " + weightHh.data().getShape() + ", got "
                    + hiddenWeight.getShape());
        }
        State st = state != null ? state : zeroState(x.getManager(), s.get(0));
        NDList out = RecurrentKernels.lstm(x, st.h(), st.c(), weightIh.data(), hiddenWeight, biasIh.data(),
                biasHh.data(), isTraining(), true);
        return new Output(out.get(0), new State(out.get(1), out.get(2)));
    }

    @Override
    public String toString() {
        return "LSTM(" + inputSize + ", " + hiddenSize + ", batch_first=True)";
    }
}
