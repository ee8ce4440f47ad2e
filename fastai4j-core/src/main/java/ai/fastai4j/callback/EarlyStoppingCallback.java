package ai.fastai4j.callback;

import ai.fastai4j.learner.CancelFitException;
import ai.fastai4j.learner.Learner;

/**
 * fastai's {@code EarlyStoppingCallback}: ends the fit when the monitored value has not improved (by more than
 * {@code minDelta}) for {@code patience} epochs in a row.
 */
public final class EarlyStoppingCallback extends TrackerCallback {
    private final int patience;
    private int wait;
    private int stoppedAt = -1;

    /** Monitors valid_loss with patience 1, like fastai's defaults. */
    public EarlyStoppingCallback() {
        this("valid_loss", 0, 1);
    }

    public EarlyStoppingCallback(String monitor, double minDelta, int patience) {
        super(monitor, null, minDelta, true);
        if (patience < 1) {
            throw new IllegalArgumentException("patience must be at least 1, got " + patience);
        }
        this.patience = patience;
    }

    @Override
    public void beforeFit(Learner learn) {
        super.beforeFit(learn);
        wait = 0;
        stoppedAt = -1;
    }

    @Override
    public void afterEpoch(Learner learn) {
        super.afterEpoch(learn);
        wait = newBest ? 0 : wait + 1;
        if (wait >= patience) {
            stoppedAt = learn.epoch();
            String msg = "No improvement since epoch " + (learn.epoch() - wait) + ": early stopping";
            System.out.println(msg);
            throw new CancelFitException(msg);
        }
    }

    /** The epoch after which the last fit stopped early, or -1. */
    public int stoppedAt() {
        return stoppedAt;
    }
}
