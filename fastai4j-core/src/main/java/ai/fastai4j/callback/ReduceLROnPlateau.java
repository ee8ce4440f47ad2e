package ai.fastai4j.callback;

import ai.fastai4j.learner.Learner;
import ai.fastai4j.optim.Optimizer;

/**
 * fastai's {@code ReduceLROnPlateau}: when the monitored value has not improved for {@code patience} epochs, every
 * parameter group's learning rate is divided by {@code factor} (not below {@code minLr}) and the count restarts.
 */
public final class ReduceLROnPlateau extends TrackerCallback {
    private final int patience;
    private final double factor;
    private final double minLr;
    private int wait;

    /** valid_loss, patience 1, factor 10, no minimum: fastai's defaults. */
    public ReduceLROnPlateau() {
        this("valid_loss", 0, 1, 10, 0);
    }

    public ReduceLROnPlateau(String monitor, double minDelta, int patience, double factor, double minLr) {
        super(monitor, null, minDelta, true);
        if (patience < 1 || !(factor > 1) || minLr < 0) {
            throw new IllegalArgumentException("need patience >= 1, factor > 1, minLr >= 0; got " + patience + ", "
                    + factor + ", " + minLr);
        }
        this.patience = patience;
        this.factor = factor;
        this.minLr = minLr;
    }

    @Override
    public void beforeFit(Learner learn) {
        super.beforeFit(learn);
        wait = 0;
    }

    @Override
    public void afterEpoch(Learner learn) {
        super.afterEpoch(learn);
        wait = newBest ? 0 : wait + 1;
        if (wait >= patience) {
            Optimizer opt = learn.opt();
            double[] lrs = opt.hypers("lr");
            double old = lrs[lrs.length - 1];
            for (int g = 0; g < lrs.length; g++) {
                lrs[g] = Math.max(lrs[g] / factor, minLr);
            }
            opt.setHyper("lr", lrs);
            wait = 0;
            if (lrs[lrs.length - 1] < old) {
                System.out.printf(java.util.Locale.ROOT, "Epoch %d: reducing lr to %s%n", learn.epoch(),
                        lrs[lrs.length - 1]);
            }
        }
    }
}
