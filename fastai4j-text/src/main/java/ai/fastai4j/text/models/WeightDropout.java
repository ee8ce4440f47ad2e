package ai.fastai4j.text.models;

import ai.djl.ndarray.NDArray;
import ai.fastai4j.nn.LSTM;
import ai.fastai4j.nn.Module;

/**
 * fastai's {@code WeightDropout} around an {@link LSTM} (DropConnect): in training, each forward drops entries of
 * the hidden-to-hidden matrix {@code weight_hh_l0} with probability p (scaling the rest by 1/(1-p)) and the
 * kernel runs with that dropped copy; the gradient reaches the raw weight through the dropout, and the raw weight
 * itself is never changed by the forward. In evaluation the kernel sees the raw weight.
 *
 * <p>The raw weight is the wrapped layer's own {@code module.weight_hh_l0} (fastai names it
 * {@code weight_hh_l0_raw}; {@link ai.fastai4j.text.models.AwdLstmWeights} maps one onto the other).
 */
public final class WeightDropout extends Module {
    private final LSTM module;
    private final float p;

    public WeightDropout(LSTM module, float p) {
        if (p < 0 || p >= 1) {
            throw new IllegalArgumentException("weight dropout must be in [0, 1), got " + p);
        }
        this.module = register("module", module);
        this.p = p;
    }

    public LSTM module() {
        return module;
    }

    public float p() {
        return p;
    }

    /** The hidden-to-hidden matrix the kernel sees in this mode: dropped in training, the raw one otherwise. */
    public NDArray effectiveHiddenWeight() {
        NDArray raw = module.weightHh().data();
        if (!isTraining() || p == 0f) {
            return raw;
        }
        return ai.djl.nn.norm.Dropout.dropout(raw, p, true).singletonOrThrow();
    }

    /** Runs the wrapped LSTM from {@code state} (zeros when null) with the effective hidden weight. */
    public LSTM.Output forward(NDArray x, LSTM.State state) {
        return module.forward(x, state, effectiveHiddenWeight());
    }

    @Override
    public NDArray forward(NDArray x) {
        return forward(x, null).output();
    }

    @Override
    public String toString() {
        return "WeightDropout(" + module + ", p=" + p + ")";
    }
}
