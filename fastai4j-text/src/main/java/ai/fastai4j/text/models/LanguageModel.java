package ai.fastai4j.text.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.fastai4j.nn.Module;

/**
 * fastai's {@code get_language_model} for the AWD-LSTM: {@code SequentialRNN(AWD_LSTM, LinearDecoder)}, children
 * {@code "0"} and {@code "1"} as in fastai's state dicts. Tokens (batch, seq) to next-token logits
 * (batch, seq, vocab).
 */
public final class LanguageModel extends Module implements Resettable, RnnActivations {
    private final AwdLstm encoder;
    private final LinearDecoder decoder;
    private NDArray rawOutput;
    private NDArray droppedOutput;

    public LanguageModel(NDManager m, int vocabSize, AwdLstmConfig config) {
        this.encoder = register("0", new AwdLstm(m, vocabSize, config));
        this.decoder = register("1", new LinearDecoder(m, vocabSize, config.embSz(), config.outputP(),
                config.tieWeights() ? encoder.encoder() : null, config.outBias()));
    }

    public AwdLstm encoder() {
        return encoder;
    }

    public LinearDecoder decoder() {
        return decoder;
    }

    public int vocabSize() {
        return (int) encoder.encoder().weight().data().getShape().get(0);
    }

    @Override
    public NDArray forward(NDArray tokens) {
        rawOutput = encoder.forward(tokens);
        droppedOutput = decoder.outputDp().forward(rawOutput);
        return decoder.project(droppedOutput);
    }

    @Override
    public void reset() {
        encoder.reset();
        rawOutput = null;
        droppedOutput = null;
    }

    @Override
    public NDArray rawOutput() {
        return rawOutput;
    }

    @Override
    public NDArray droppedOutput() {
        return droppedOutput;
    }
}
