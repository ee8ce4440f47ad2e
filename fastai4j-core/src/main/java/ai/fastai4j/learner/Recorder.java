package ai.fastai4j.learner;

import ai.fastai4j.metrics.Metric;
import ai.fastai4j.plot.Plots;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Records a fit like fastai's Recorder: the smoothed training loss (debiased exponential moving average, beta
 * 0.98), learning rate and momentum per iteration; per epoch the training loss, the validation loss, the metrics
 * and the time.
 */
public final class Recorder implements Callback {
    private static final double BETA = 0.98;

    private final List<Double> lrs = new ArrayList<>();
    private final List<Double> moms = new ArrayList<>();
    private final List<Double> losses = new ArrayList<>();
    private final List<Integer> iters = new ArrayList<>();
    private final List<List<Double>> values = new ArrayList<>();
    private final List<Double> epochSeconds = new ArrayList<>();
    private double smoothVal;
    private int smoothCount;
    private double validTotal;
    private long validCount;
    private double trainLoss;
    private long epochStart;

    @Override
    public int order() {
        return 50;
    }

    @Override
    public void beforeFit(Learner learn) {
        lrs.clear();
        moms.clear();
        losses.clear();
        iters.clear();
        values.clear();
        epochSeconds.clear();
        smoothVal = 0;
        smoothCount = 0;
    }

    @Override
    public void beforeEpoch(Learner learn) {
        epochStart = System.nanoTime();
        // an epoch whose validation is cancelled must not report the previous epoch's numbers
        resetValid(learn);
    }

    @Override
    public void beforeValidate(Learner learn) {
        resetValid(learn);
    }

    private void resetValid(Learner learn) {
        validTotal = 0;
        validCount = 0;
        for (Metric m : learn.metrics()) {
            m.reset();
        }
    }

    @Override
    public void afterBatch(Learner learn) {
        // no loss computed in this batch (no targets, or the batch was cancelled before the loss): nothing to record
        if (learn.yb() == null || learn.yb().isEmpty() || learn.lossGrad() == null) {
            return;
        }
        if (learn.isTraining()) {
            smoothCount++;
            smoothVal = BETA * smoothVal + (1 - BETA) * learn.loss();
            losses.add(smoothLoss());
            int last = learn.opt().groupCount() - 1;
            lrs.add(learn.opt().hyper("lr", last));
            if (learn.opt().hasHyper("mom")) {
                moms.add(learn.opt().hyper("mom", last));
            }
        } else {
            long bs = learn.yb().get(0).getShape().get(0);
            validTotal += learn.loss() * bs;
            validCount += bs;
            for (Metric m : learn.metrics()) {
                m.accumulate(learn.pred(), learn.yb().get(0));
            }
        }
    }

    @Override
    public void afterTrain(Learner learn) {
        trainLoss = smoothLoss();
        iters.add(smoothCount);
    }

    @Override
    public void afterEpoch(Learner learn) {
        List<Double> row = new ArrayList<>();
        row.add(trainLoss);
        row.add(validCount == 0 ? Double.NaN : validTotal / validCount);
        for (Metric m : learn.metrics()) {
            row.add(m.value());
        }
        values.add(row);
        epochSeconds.add((System.nanoTime() - epochStart) / 1e9);
    }

    /** Everything a resumed fit needs to continue this recorder's history exactly (see {@link Checkpoint}). */
    public record State(List<Double> lrs, List<Double> moms, List<Double> losses, List<Integer> iters,
            List<List<Double>> values, List<Double> epochSeconds, double smoothVal, int smoothCount, double trainLoss) {}

    State state() {
        return new State(List.copyOf(lrs), List.copyOf(moms), List.copyOf(losses), List.copyOf(iters),
                values.stream().map(List::copyOf).toList(), List.copyOf(epochSeconds), smoothVal, smoothCount,
                trainLoss);
    }

    void restore(State s) {
        lrs.clear();
        lrs.addAll(s.lrs());
        moms.clear();
        moms.addAll(s.moms());
        losses.clear();
        losses.addAll(s.losses());
        iters.clear();
        iters.addAll(s.iters());
        values.clear();
        s.values().forEach(v -> values.add(new ArrayList<>(v)));
        epochSeconds.clear();
        epochSeconds.addAll(s.epochSeconds());
        smoothVal = s.smoothVal();
        smoothCount = s.smoothCount();
        trainLoss = s.trainLoss();
    }

    /** The debiased smoothed training loss. */
    public double smoothLoss() {
        return smoothCount == 0 ? Double.NaN : smoothVal / (1 - Math.pow(BETA, smoothCount));
    }

    /** Learning rate of the last parameter group at each training iteration. */
    public List<Double> lrs() {
        return Collections.unmodifiableList(lrs);
    }

    /** Momentum of the last group at each training iteration (empty if the optimizer has none). */
    public List<Double> moms() {
        return Collections.unmodifiableList(moms);
    }

    /** Smoothed training loss at each training iteration. */
    public List<Double> losses() {
        return Collections.unmodifiableList(losses);
    }

    /** Training iterations done at the end of each epoch. */
    public List<Integer> iters() {
        return Collections.unmodifiableList(iters);
    }

    /** Per epoch: train loss, valid loss, then each metric. */
    public List<List<Double>> values() {
        return Collections.unmodifiableList(values);
    }

    public List<Double> epochSeconds() {
        return Collections.unmodifiableList(epochSeconds);
    }

    /** Column names of the epoch table. */
    public List<String> metricNames(Learner learn) {
        List<String> names = new ArrayList<>(List.of("epoch", "train_loss", "valid_loss"));
        for (Metric m : learn.metrics()) {
            names.add(m.name());
        }
        names.add("time");
        return names;
    }

    /** Writes fastai's plot_loss: smoothed train loss per iteration and valid loss per epoch. */
    public Path plotLoss(Path out) {
        double[] train = losses.stream().mapToDouble(Double::doubleValue).toArray();
        double[] valid = values.stream().mapToDouble(v -> v.get(1)).toArray();
        int perEpoch = iters.isEmpty() ? Math.max(1, train.length) : iters.get(0);
        return Plots.lossPlot(train, valid, perEpoch, out);
    }

    /** Writes fastai's plot_sched: learning rate and momentum per iteration. */
    public Path plotSchedule(Path out) {
        double[] l = lrs.stream().mapToDouble(Double::doubleValue).toArray();
        double[] m = moms.isEmpty() ? null : moms.stream().mapToDouble(Double::doubleValue).toArray();
        return Plots.schedulePlot(l, m, out);
    }
}
