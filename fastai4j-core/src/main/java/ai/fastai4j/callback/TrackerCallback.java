package ai.fastai4j.callback;

import ai.fastai4j.learner.Callback;
import ai.fastai4j.learner.Learner;
import java.util.List;

/**
 * fastai's {@code TrackerCallback}: after every epoch reads the monitored column of the recorder (valid_loss by
 * default, or a metric's name) and tells whether it improved on the best so far by more than {@code minDelta}.
 * Lower is better for names containing "loss" or "error", higher otherwise, unless set.
 */
public abstract class TrackerCallback implements Callback {
    protected final String monitor;
    protected final double minDelta;
    private final Boolean lowerIsBetter;
    private final boolean resetOnFit;
    private boolean lower;
    private int column = -1;
    /** The best value so far (NaN before the first epoch). */
    protected double best = Double.NaN;
    /** Whether the epoch just ended gave a new best. */
    protected boolean newBest;

    /**
     * @param monitor       column of the epoch table ("valid_loss", "train_loss" or a metric's name)
     * @param lowerIsBetter null to decide from the name
     * @param minDelta      how much better than the best a value must be to count
     * @param resetOnFit    whether the best is forgotten when a new fit starts
     */
    protected TrackerCallback(String monitor, Boolean lowerIsBetter, double minDelta, boolean resetOnFit) {
        this.monitor = java.util.Objects.requireNonNull(monitor, "monitor");
        this.lowerIsBetter = lowerIsBetter;
        this.minDelta = Math.abs(minDelta);
        this.resetOnFit = resetOnFit;
    }

    /** After the recorder (50) and the schedulers (60), like fastai. */
    @Override
    public int order() {
        return 65;
    }

    @Override
    public void beforeFit(Learner learn) {
        List<String> names = learn.recorder().metricNames(learn);
        int i = names.indexOf(monitor);
        if (i < 1 || i == names.size() - 1) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": no column '" + monitor
                    + "' to monitor; the epoch table has " + names.subList(1, names.size() - 1));
        }
        column = i - 1; // the recorder's rows have no epoch column
        lower = lowerIsBetter != null ? lowerIsBetter : monitor.contains("loss") || monitor.contains("error");
        if (resetOnFit || Double.isNaN(best)) {
            best = lower ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        }
    }

    @Override
    public void afterEpoch(Learner learn) {
        List<List<Double>> values = learn.recorder().values();
        double v = values.get(values.size() - 1).get(column);
        newBest = lower ? v + minDelta < best : v - minDelta > best;
        if (newBest) {
            best = v;
        }
    }

    /** The best monitored value so far. */
    public double best() {
        return best;
    }
}
