package ai.fastai4j.learner;

import ai.fastai4j.plot.EpochTable;
import ai.fastai4j.plot.ProgressBars;
import ai.fastai4j.plot.ProgressReporter;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Shows a progress bar while an epoch runs and prints fastai's epoch table, one row per epoch. */
public final class ProgressCallback implements Callback {
    private final PrintStream out;
    private EpochTable table;
    private ProgressReporter bar;

    public ProgressCallback() {
        this(System.out);
    }

    public ProgressCallback(PrintStream out) {
        this.out = out;
    }

    @Override
    public int order() {
        return 70;
    }

    @Override
    public void beforeFit(Learner learn) {
        table = new EpochTable(learn.recorder().metricNames(learn));
        out.println(table.header());
    }

    @Override
    public void beforeTrain(Learner learn) {
        open(learn, "train");
    }

    @Override
    public void beforeValidate(Learner learn) {
        open(learn, "valid");
    }

    private void open(Learner learn, String phase) {
        closeBar();
        bar = ProgressBars.forEpoch("epoch " + (learn.epoch() + 1) + "/" + learn.nEpoch() + " " + phase,
                learn.dl().numBatches());
    }

    @Override
    public void afterBatch(Learner learn) {
        if (bar != null) {
            bar.step(learn.isTraining() ? String.format("loss %.4f", learn.recorder().smoothLoss()) : "");
        }
    }

    @Override
    public void afterTrain(Learner learn) {
        closeBar();
    }

    @Override
    public void afterValidate(Learner learn) {
        closeBar();
    }

    @Override
    public void afterEpoch(Learner learn) {
        closeBar();
        Recorder r = learn.recorder();
        List<Double> v = r.values().get(r.values().size() - 1);
        List<Object> row = new ArrayList<>();
        row.add(learn.epoch());
        row.addAll(v);
        row.add(r.epochSeconds().get(r.epochSeconds().size() - 1));
        out.println(table.row(row));
    }

    @Override
    public void afterFit(Learner learn) {
        closeBar();
    }

    private void closeBar() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
