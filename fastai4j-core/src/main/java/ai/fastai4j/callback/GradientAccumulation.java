package ai.fastai4j.callback;

import ai.fastai4j.learner.CancelBatchException;
import ai.fastai4j.learner.Callback;
import ai.fastai4j.learner.Learner;

/**
 * fastai's {@code GradientAccumulation}: gradients of several batches add up until {@code nAcc} samples were seen,
 * then one optimizer step; each batch's loss is scaled by its size / {@code nAcc}, so the step equals one step on
 * the concatenated batches (for a mean-reduced loss). The recorded loss stays the batch's own.
 */
public final class GradientAccumulation implements Callback {
    private final int nAcc;
    private long count;

    /** fastai's default: 32 samples. */
    public GradientAccumulation() {
        this(32);
    }

    public GradientAccumulation(int nAcc) {
        if (nAcc < 1) {
            throw new IllegalArgumentException("nAcc must be at least 1 sample, got " + nAcc);
        }
        this.nAcc = nAcc;
    }

    /** Before the other callbacks that change the loss or the gradients. */
    @Override
    public int order() {
        return -20;
    }

    @Override
    public void beforeFit(Learner learn) {
        count = 0;
    }

    private static long batchSize(Learner learn) {
        return learn.yb().get(0).getShape().get(0);
    }

    @Override
    public void afterLoss(Learner learn) {
        if (learn.isTraining() && learn.lossGrad() != null) {
            learn.setLossGrad(learn.lossGrad().div((double) nAcc / batchSize(learn)));
        }
    }

    @Override
    public void beforeStep(Learner learn) {
        count += batchSize(learn);
        if (count < nAcc) {
            throw new CancelBatchException(); // skip the step and zeroGrad: the gradients keep adding up
        }
        count = 0;
    }
}
