package ai.fastai4j.learner;

import ai.fastai4j.schedule.Schedules;
import java.util.List;
import java.util.Map;

/**
 * fastai's LRFinder: an exponential learning-rate sweep that stops after {@code numIt} iterations, or when
 * the smoothed loss exceeds four times the best seen, and never validates.
 */
public final class LRFinder extends ParamScheduler {
    private final int numIt;
    private final boolean stopDiv;
    private double bestLoss;

    public LRFinder(double startLr, double endLr, int numIt, boolean stopDiv) {
        super(Map.of("lr", List.of(Schedules.exp(startLr, endLr))));
        this.numIt = numIt;
        this.stopDiv = stopDiv;
    }

    @Override
    public void beforeFit(Learner learn) {
        super.beforeFit(learn);
        bestLoss = Double.POSITIVE_INFINITY;
    }

    @Override
    public void beforeBatch(Learner learn) {
        if (learn.isTraining()) {
            apply(learn, (double) learn.trainIter() / numIt);
        }
    }

    @Override
    public void afterBatch(Learner learn) {
        if (!learn.isTraining()) {
            return;
        }
        double smooth = learn.recorder().smoothLoss();
        if (smooth < bestLoss) {
            bestLoss = smooth;
        }
        if (stopDiv && (smooth > 4 * bestLoss || Double.isNaN(smooth))) {
            throw new CancelFitException("lr_find: loss diverged");
        }
        if (learn.trainIter() >= numIt) {
            throw new CancelFitException("lr_find: done");
        }
    }

    @Override
    public void beforeValidate(Learner learn) {
        throw new CancelValidException();
    }
}
