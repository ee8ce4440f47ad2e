package ai.fastai4j.text.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.fastai4j.learner.Callback;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.text.models.RnnActivations;

/**
 * fastai's {@code RNNRegularizer} (AR and TAR of Merity et al.): in training only, adds to the loss that is
 * back-propagated {@code alpha * mean(dropped^2)} (activation regularization on the last LSTM layer's output
 * after dropout) and {@code beta * mean((raw[:, 1:] - raw[:, :-1])^2)} (temporal activation regularization on
 * the output before dropout). The recorded loss stays the plain loss, as in fastai.
 */
public final class RNNRegularizer implements Callback {
    private final double alpha;
    private final double beta;

    public RNNRegularizer(double alpha, double beta) {
        if (!(alpha >= 0) || !(beta >= 0)) {
            throw new IllegalArgumentException("alpha and beta must be >= 0, got " + alpha + ", " + beta);
        }
        this.alpha = alpha;
        this.beta = beta;
    }

    public double alpha() {
        return alpha;
    }

    public double beta() {
        return beta;
    }

    @Override
    public void afterLoss(Learner learn) {
        if (!learn.isTraining() || learn.lossGrad() == null || !(learn.model() instanceof RnnActivations acts)) {
            return;
        }
        NDArray loss = learn.lossGrad();
        if (alpha != 0 && acts.droppedOutput() != null) {
            NDArray d = acts.droppedOutput();
            loss = loss.add(d.mul(d).mean().mul((float) alpha));
        }
        NDArray raw = acts.rawOutput();
        if (beta != 0 && raw != null && raw.getShape().get(1) > 1) {
            NDArray diff = raw.get(new NDIndex(":, 1:")).sub(raw.get(new NDIndex(":, :-1")));
            loss = loss.add(diff.mul(diff).mean().mul((float) beta));
        }
        learn.setLossGrad(loss);
    }
}
