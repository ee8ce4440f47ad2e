package ai.fastai4j.text.models;

/**
 * Sizes and dropouts of an AWD-LSTM, as fastai's {@code awd_lstm_lm_config} / {@code awd_lstm_clas_config}.
 *
 * @param embSz embedding size (also the last LSTM layer's size)
 * @param nHid size of the inner LSTM layers
 * @param nLayers number of stacked single-layer LSTMs
 * @param padToken index of the padding token (xxpad, 1)
 * @param outputP dropout on the last layer's output (LM decoder input, classifier head's first dropout)
 * @param hiddenP variational dropout between LSTM layers
 * @param inputP variational dropout on the embedded input
 * @param embedP embedding (word) dropout
 * @param weightP weight dropout on the hidden-to-hidden matrices
 * @param tieWeights whether the LM decoder shares the embedding matrix
 * @param outBias whether the LM decoder has a bias
 */
public record AwdLstmConfig(int embSz, int nHid, int nLayers, int padToken, float outputP, float hiddenP,
        float inputP, float embedP, float weightP, boolean tieWeights, boolean outBias) {

    public AwdLstmConfig {
        if (embSz < 1 || nHid < 1 || nLayers < 1) {
            throw new IllegalArgumentException("sizes must be positive: emb " + embSz + ", hidden " + nHid
                    + ", layers " + nLayers);
        }
        for (float p : new float[] {outputP, hiddenP, inputP, embedP, weightP}) {
            if (!(p >= 0 && p < 1)) {
                throw new IllegalArgumentException("dropout probabilities must be in [0, 1), got " + p);
            }
        }
    }

    /** fastai's {@code awd_lstm_lm_config}: emb 400, hidden 1152, 3 layers, dropouts 0.1/0.15/0.25/0.02/0.2, tied. */
    public static AwdLstmConfig languageModel() {
        return new AwdLstmConfig(400, 1152, 3, 1, 0.1f, 0.15f, 0.25f, 0.02f, 0.2f, true, true);
    }

    /** fastai's {@code awd_lstm_clas_config}: same sizes, dropouts 0.4/0.3/0.4/0.05/0.5. */
    public static AwdLstmConfig classifier() {
        return new AwdLstmConfig(400, 1152, 3, 1, 0.4f, 0.3f, 0.4f, 0.05f, 0.5f, true, true);
    }

    /** fastai's {@code drop_mult}: every dropout probability multiplied by {@code mult}. */
    public AwdLstmConfig withDropMult(double mult) {
        if (!(mult >= 0)) {
            throw new IllegalArgumentException("drop_mult must be >= 0, got " + mult);
        }
        float m = (float) mult;
        return new AwdLstmConfig(embSz, nHid, nLayers, padToken, outputP * m, hiddenP * m, inputP * m, embedP * m,
                weightP * m, tieWeights, outBias);
    }

    /** The same dropouts with other sizes (a smaller model for a small machine). */
    public AwdLstmConfig withSizes(int emb, int hidden, int layers) {
        return new AwdLstmConfig(emb, hidden, layers, padToken, outputP, hiddenP, inputP, embedP, weightP,
                tieWeights, outBias);
    }

    /** Size of LSTM layer {@code l}'s output: nHid, except the last layer's, which is embSz. */
    public int layerOutput(int l) {
        return l == nLayers - 1 ? embSz : nHid;
    }

    /** Size of LSTM layer {@code l}'s input. */
    public int layerInput(int l) {
        return l == 0 ? embSz : nHid;
    }
}
