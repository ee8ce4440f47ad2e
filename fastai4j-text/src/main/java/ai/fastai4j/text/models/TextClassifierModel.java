package ai.fastai4j.text.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.fastai4j.nn.Module;
import java.util.List;

/**
 * fastai's {@code get_text_classifier} for the AWD-LSTM: {@code SequentialRNN(SentenceEncoder(AWD_LSTM),
 * PoolingLinearClassifier)}, children {@code "0"} and {@code "1"}. Padded tokens (batch, len) to class logits.
 */
public final class TextClassifierModel extends Module implements Resettable, RnnActivations {
    /** fastai's bptt for classifiers (seq_len 72). */
    public static final int BPTT = 72;
    /** fastai's max_len: 72 * 20. */
    public static final int MAX_LEN = 72 * 20;

    private final SentenceEncoder encoder;
    private final PoolingLinearClassifier head;
    private NDArray output;

    /**
     * @param linFtrs sizes of the hidden head layers (fastai: [50])
     * @param ps their dropouts (fastai: 0.1 each); the first head layer's dropout is the config's outputP
     */
    public TextClassifierModel(NDManager m, int vocabSize, int nClasses, AwdLstmConfig config, int bptt, int maxLen,
            List<Integer> linFtrs, List<Float> ps) {
        if (nClasses < 2) {
            throw new IllegalArgumentException("a classifier needs at least 2 classes, got " + nClasses);
        }
        if (linFtrs.size() != ps.size()) {
            throw new IllegalArgumentException("one dropout per head layer: " + linFtrs + " vs " + ps);
        }
        this.encoder = register("0", new SentenceEncoder(new AwdLstm(m, vocabSize, config), bptt, maxLen,
                config.padToken()));
        List<Integer> dims = new java.util.ArrayList<>();
        dims.add(config.embSz() * 3);
        dims.addAll(linFtrs);
        dims.add(nClasses);
        List<Float> allPs = new java.util.ArrayList<>();
        allPs.add(config.outputP());
        allPs.addAll(ps);
        this.head = register("1", new PoolingLinearClassifier(m, dims, allPs));
    }

    /** fastai's defaults: bptt 72, max_len 72*20, head [50] with dropout 0.1. */
    public TextClassifierModel(NDManager m, int vocabSize, int nClasses, AwdLstmConfig config) {
        this(m, vocabSize, nClasses, config, BPTT, MAX_LEN, List.of(50), List.of(0.1f));
    }

    public SentenceEncoder encoder() {
        return encoder;
    }

    public PoolingLinearClassifier head() {
        return head;
    }

    @Override
    public NDArray forward(NDArray tokens) {
        SentenceEncoder.Encoded e = encoder.encode(tokens);
        output = e.output();
        return head.forward(e.output(), e.padMask());
    }

    @Override
    public void reset() {
        encoder.reset();
        output = null;
    }

    /** fastai's classifier gives the regularizer the encoder's output for both. */
    @Override
    public NDArray rawOutput() {
        return output;
    }

    @Override
    public NDArray droppedOutput() {
        return output;
    }
}
