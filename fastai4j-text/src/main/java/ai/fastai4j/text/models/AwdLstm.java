package ai.fastai4j.text.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.fastai4j.nn.Embedding;
import ai.fastai4j.nn.LSTM;
import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.Sequential;
import java.util.ArrayList;
import java.util.List;

/**
 * fastai's {@code AWD_LSTM} (Merity et al. 2017): embedding with {@link EmbeddingDropout}, input
 * {@link RNNDropout}, stacked single-layer {@link LSTM}s wrapped in {@link WeightDropout}, with {@link RNNDropout}
 * between layers. Maps tokens (batch, seq) to the last layer's output (batch, seq, embSz).
 *
 * <p>The hidden state is carried from one call to the next (detached: truncated backpropagation through time,
 * as fastai), so consecutive batches of a language-model stream continue each other; {@link #reset()} (run by
 * {@link ai.fastai4j.text.learner.ModelResetter} at the start of each epoch and of validation) starts from zeros.
 * A batch of another size keeps the first rows' states and starts new rows from zeros. The carried states live
 * in this module's own memory, outside the step's scope; {@link #close()} frees them.
 *
 * <p>State names follow fastai's: {@code encoder.weight}, {@code rnns.0.module.weight_ih_l0}, ... (the raw
 * hidden-to-hidden matrix is {@code rnns.L.module.weight_hh_l0}; fastai calls it {@code rnns.L.weight_hh_l0_raw}).
 */
public final class AwdLstm extends Module implements Resettable {
    /** fastai's {@code initrange} for the embedding. */
    public static final float INIT_RANGE = 0.1f;

    private final AwdLstmConfig config;
    private final Embedding encoder;
    private final EmbeddingDropout encoderDp;
    private final List<WeightDropout> rnns = new ArrayList<>();
    private final RNNDropout inputDp;
    private final List<RNNDropout> hiddenDps = new ArrayList<>();
    private final NDManager stateManager;
    private List<LSTM.State> hidden; // null: zeros

    public AwdLstm(NDManager m, int vocabSize, AwdLstmConfig config) {
        if (vocabSize < 1) {
            throw new IllegalArgumentException("vocabulary size must be positive, got " + vocabSize);
        }
        this.config = config;
        this.encoder = register("encoder", new Embedding(m, vocabSize, config.embSz()));
        encoder.weight().copyFrom(m.randomUniform(-INIT_RANGE, INIT_RANGE, encoder.weight().data().getShape()));
        this.encoderDp = register("encoder_dp", new EmbeddingDropout(encoder, config.embedP(), config.padToken()));
        Sequential rnnList = register("rnns", new Sequential());
        Sequential dpList = new Sequential();
        for (int l = 0; l < config.nLayers(); l++) {
            WeightDropout rnn = new WeightDropout(new LSTM(m, config.layerInput(l), config.layerOutput(l)),
                    config.weightP());
            rnnList.add(rnn);
            rnns.add(rnn);
            RNNDropout dp = new RNNDropout(config.hiddenP());
            dpList.add(dp);
            hiddenDps.add(dp);
        }
        this.inputDp = register("input_dp", new RNNDropout(config.inputP()));
        register("hidden_dps", dpList);
        this.stateManager = m.newSubManager();
    }

    public AwdLstmConfig config() {
        return config;
    }

    public Embedding encoder() {
        return encoder;
    }

    public List<WeightDropout> rnns() {
        return List.copyOf(rnns);
    }

    public List<RNNDropout> hiddenDps() {
        return List.copyOf(hiddenDps);
    }

    public EmbeddingDropout encoderDp() {
        return encoderDp;
    }

    public RNNDropout inputDp() {
        return inputDp;
    }

    /** Tokens (batch, seq) to the last layer's output (batch, seq, embSz), continuing from the carried state. */
    @Override
    public NDArray forward(NDArray tokens) {
        if (tokens.getShape().dimension() != 2) {
            throw new IllegalArgumentException("AWD-LSTM expects tokens (batch, seq), got " + tokens.getShape());
        }
        long bs = tokens.getShape().get(0);
        NDArray out = inputDp.forward(encoderDp.forward(tokens));
        List<LSTM.State> next = new ArrayList<>(rnns.size());
        for (int l = 0; l < rnns.size(); l++) {
            LSTM.Output o = rnns.get(l).forward(out, stateFor(l, bs, out.getManager()));
            next.add(o.state());
            out = o.output();
            if (l != rnns.size() - 1) {
                out = hiddenDps.get(l).forward(out);
            }
        }
        keepDetached(next);
        return out;
    }

    /** Starts the next call from zero states. */
    @Override
    public void reset() {
        closeHidden();
        hidden = null;
    }

    /** The carried state of every layer (null after a reset), for tests and inspection. */
    public List<LSTM.State> hidden() {
        return hidden == null ? null : List.copyOf(hidden);
    }

    /**
     * Zeroes the carried state of the rows where {@code keep} (batch) is false: those sequences start afresh
     * at the next call (used by {@link SentenceEncoder} for rows that were all padding so far).
     */
    public void zeroHiddenRows(NDArray keep) {
        if (hidden == null) {
            return;
        }
        List<LSTM.State> masked = new ArrayList<>(hidden.size());
        for (LSTM.State s : hidden) {
            NDArray k = keep.toType(s.h().getDataType(), false).reshape(1, -1, 1);
            masked.add(new LSTM.State(s.h().mul(k), s.c().mul(k)));
        }
        keepDetached(masked);
    }

    private LSTM.State stateFor(int l, long bs, NDManager m) {
        if (hidden == null) {
            return null;
        }
        LSTM.State s = hidden.get(l);
        long have = s.h().getShape().get(1);
        if (have == bs) {
            return s;
        }
        if (have > bs) {
            return new LSTM.State(s.h().get(new NDIndex(":, :{}", bs)), s.c().get(new NDIndex(":, :{}", bs)));
        }
        LSTM.State zeros = rnns.get(l).module().zeroState(m, bs - have);
        return new LSTM.State(NDArrays.concat(new NDList(s.h(), zeros.h()), 1),
                NDArrays.concat(new NDList(s.c(), zeros.c()), 1));
    }

    private void keepDetached(List<LSTM.State> states) {
        List<LSTM.State> kept = new ArrayList<>(states.size());
        for (LSTM.State s : states) {
            kept.add(new LSTM.State(keep(s.h()), keep(s.c())));
        }
        closeHidden();
        hidden = kept;
    }

    private NDArray keep(NDArray a) {
        NDArray d = a.stopGradient();
        NDScope.unregister(d);
        d.attach(stateManager);
        return d;
    }

    private void closeHidden() {
        if (hidden != null) {
            for (LSTM.State s : hidden) {
                s.h().close();
                s.c().close();
            }
        }
    }

    @Override
    public void close() {
        closeHidden();
        hidden = null;
        stateManager.close();
        super.close();
    }
}
