package ai.fastai4j.callback;

import ai.fastai4j.interpret.TrainingReport;
import ai.fastai4j.learner.Callback;
import ai.fastai4j.learner.LRFinder;
import ai.fastai4j.learner.Learner;
import java.nio.file.Path;

/**
 * fastai's {@code ShowGraph} for the browser: rewrites {@code report.html} (epoch table, loss and schedule plots)
 * in a folder after every epoch; the page reloads itself every few seconds while training runs and stops
 * reloading once the fit ended.
 */
public final class LiveReport implements Callback {
    private final Path dir;
    private final int refreshSeconds;
    private Path page;

    /** Writes {@code dir/report.html}, reloaded every 10 seconds. */
    public LiveReport(Path dir) {
        this(dir, 10);
    }

    public LiveReport(Path dir, int refreshSeconds) {
        this.dir = java.util.Objects.requireNonNull(dir);
        if (refreshSeconds < 1) {
            throw new IllegalArgumentException("refreshSeconds must be at least 1, got " + refreshSeconds);
        }
        this.refreshSeconds = refreshSeconds;
    }

    @Override
    public int order() {
        return 75;
    }

    @Override
    public void afterEpoch(Learner learn) {
        if (!learn.hasCallback(LRFinder.class)) {
            page = TrainingReport.builder(learn).title("Training (live)").live(refreshSeconds).build().write(dir);
        }
    }

    @Override
    public void afterFit(Learner learn) {
        if (page != null) {
            // the last state, without the reload
            TrainingReport.builder(learn).title("Training").trainingOnly().build().write(dir);
        }
    }

    /** The page, once written. */
    public Path page() {
        return page;
    }
}
