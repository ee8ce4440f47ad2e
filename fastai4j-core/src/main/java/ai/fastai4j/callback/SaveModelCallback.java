package ai.fastai4j.callback;

import ai.fastai4j.learner.Learner;

/**
 * fastai's {@code SaveModelCallback}: saves the model ({@code learn.save(fname, withOpt)}, under
 * {@code path/models}) whenever the monitored value reaches a new best, and loads that best model back at the end
 * of the fit; or, with {@code everyEpoch}, saves {@code fname_<epoch>} after every epoch (nothing is reloaded);
 * {@code atEnd} saves the final model instead of reloading the best.
 */
public final class SaveModelCallback extends TrackerCallback {
    private final String fname;
    private final boolean everyEpoch;
    private final boolean atEnd;
    private final boolean withOpt;
    private int bestEpoch = -1;

    /** Keeps the best model by valid_loss in {@code models/model}, like fastai's defaults. */
    public SaveModelCallback() {
        this("valid_loss", 0, "model", false, false, false);
    }

    public SaveModelCallback(String monitor, double minDelta, String fname, boolean everyEpoch, boolean atEnd,
            boolean withOpt) {
        super(monitor, null, minDelta, true);
        this.fname = java.util.Objects.requireNonNull(fname, "fname");
        this.everyEpoch = everyEpoch;
        this.atEnd = atEnd;
        this.withOpt = withOpt;
    }

    /** Best by {@code monitor}, saved as {@code fname}. */
    public static SaveModelCallback best(String monitor, String fname, boolean withOpt) {
        return new SaveModelCallback(monitor, 0, fname, false, false, withOpt);
    }

    @Override
    public void beforeFit(Learner learn) {
        super.beforeFit(learn);
        bestEpoch = -1;
    }

    @Override
    public void afterEpoch(Learner learn) {
        if (everyEpoch) {
            learn.save(fname + "_" + learn.epoch(), withOpt);
            return;
        }
        super.afterEpoch(learn);
        if (newBest) {
            bestEpoch = learn.epoch();
            System.out.printf(java.util.Locale.ROOT, "Better model found at epoch %d with %s value: %s.%n",
                    learn.epoch(), monitor, best);
            learn.save(fname, withOpt);
        }
    }

    @Override
    public void afterFit(Learner learn) {
        if (atEnd) {
            learn.save(fname, withOpt);
        } else if (!everyEpoch && bestEpoch >= 0 && learn.interruption() == null) {
            learn.load(fname, withOpt);
        }
    }

    /** The epoch whose model was saved as the best in the last fit, or -1. */
    public int bestEpoch() {
        return bestEpoch;
    }
}
