package ai.fastai4j.learner;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Keeps a {@link Checkpoint} of the running fit in a folder ({@value Checkpoint#FILE_NAME}, atomically
 * replaced): after every epoch, every {@code everyBatches} training batches if set, and when the process shuts
 * down during the fit (Ctrl-C, SIGTERM: see {@link ShutdownGuard}), after the running batch. On that last one it
 * prints where the checkpoint is. Inactive during lr_find.
 */
public final class CheckpointCallback implements Callback {
    private final Path dir;
    private final int everyBatches;
    private final Map<String, Object> extra = new LinkedHashMap<>();
    private boolean active;
    private int trainLoaderEpoch;
    private Path last;

    /** Checkpoints in {@code dir} after every epoch and on shutdown. */
    public CheckpointCallback(Path dir) {
        this(dir, 0);
    }

    /** Also every {@code everyBatches} training batches (0: only at epoch ends and on shutdown). */
    public CheckpointCallback(Path dir, int everyBatches) {
        if (everyBatches < 0) {
            throw new IllegalArgumentException("everyBatches must be >= 0, got " + everyBatches);
        }
        this.dir = Objects.requireNonNull(dir);
        this.everyBatches = everyBatches;
    }

    /** Application facts stored with each checkpoint (e.g. the learning rate to restart the same fit with). */
    public CheckpointCallback extra(String key, Object value) {
        extra.put(key, value);
        return this;
    }

    /** After Recorder (50), ParamScheduler (60) and the progress output (70): epoch rows are complete. */
    @Override
    public int order() {
        return 80;
    }

    /** The checkpoint file this callback writes. */
    public Path file() {
        return dir.resolve(Checkpoint.FILE_NAME);
    }

    /** The checkpoint written last, or null. */
    public Path lastWritten() {
        return last;
    }

    @Override
    public void beforeFit(Learner learn) {
        active = !learn.hasCallback(LRFinder.class);
    }

    @Override
    public void beforeTrain(Learner learn) {
        trainLoaderEpoch = learn.dls().train().epochsStarted();
    }

    @Override
    public void afterBatch(Learner learn) {
        if (active && everyBatches > 0 && learn.isTraining() && (learn.iter() + 1) % everyBatches == 0
                && learn.iter() + 1 < learn.nIter()) {
            // afterBatch of the train/eval callback and the recorder ran (lower order): counters are this batch's
            write(learn, learn.epoch(), learn.iter() + 1, false, trainLoaderEpoch);
        }
    }

    @Override
    public void afterEpoch(Learner learn) {
        if (active) {
            write(learn, learn.epoch() + 1, 0, false, learn.dls().train().epochsStarted());
        }
    }

    @Override
    public void afterCancelFit(Learner learn) {
        TrainingInterruptedException stop = learn.interruption();
        if (!active || stop == null || ShutdownGuard.stopNowRequested()) {
            return;
        }
        Path f = learn.isTraining()
                // the stopped batch finished: continue with the next one (an empty rest still ends the training)
                ? write(learn, learn.epoch(), learn.iter() + 1, false, trainLoaderEpoch)
                // stopped in validation: redo it
                : write(learn, learn.epoch(), 0, true, learn.dls().train().epochsStarted());
        System.err.println("fastai4j: " + stop.getMessage() + "; checkpoint written to " + f.toAbsolutePath()
                + " (resume with fastai4j train --resume " + dir + ", or fit(..., Checkpoint.resumeFrom(dir)))");
    }

    private Path write(Learner learn, int epoch, int nextIter, boolean afterTrain, int loaderEpoch) {
        Checkpoint.Meta meta = new Checkpoint.Meta(Checkpoint.FORMAT, epoch, learn.nEpoch(), nextIter, afterTrain,
                learn.dls().train().numBatches(), learn.trainIter(), learn.pctTrain(), learn.batchesTrained(),
                learn.seed(), loaderEpoch, learn.dls().valid().epochsStarted(), learn.recorder().state(),
                Map.copyOf(extra));
        last = Checkpoint.write(learn, file(), meta);
        return last;
    }
}
