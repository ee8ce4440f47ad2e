package ai.fastai4j.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.fastai4j.Fastai4j;
import ai.fastai4j.data.DataLoaderOptions;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.metrics.Metrics;
import ai.fastai4j.nn.Layers;
import ai.fastai4j.nn.Linear;
import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.Sequential;
import ai.fastai4j.optim.Slice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fit resumed from a checkpoint taken in the middle of an epoch ends exactly where the uninterrupted fit ends:
 * same weights, optimizer state, per-iteration losses and learning rates, epoch table. The model has dropout, the
 * loaders shuffle with two threads, and the schedule is one cycle, so every generator and position must be restored.
 */
class CheckpointResumeTest {
    @TempDir
    Path dir;

    private record Run(Map<String, String> weights, Map<String, String> opt, List<Double> losses, List<Double> lrs,
            List<List<Double>> table) {}

    private static Module model(NDManager m, int initSeed) {
        Engine.getInstance().setRandomSeed(initSeed);
        return new Sequential(new Linear(m, 2, 16, true), Layers.relu(), Layers.dropout(0.3f),
                new Linear(m, 16, 2, true));
    }

    /** Copies the checkpoint aside when it was just written after training batch {@code iter} of {@code epoch}. */
    private static final class Snapshot implements Callback {
        final int epoch;
        final int iter;
        final Path to;

        Snapshot(int epoch, int iter, Path to) {
            this.epoch = epoch;
            this.iter = iter;
            this.to = to;
        }

        @Override
        public int order() {
            return 90;
        }

        @Override
        public void afterBatch(Learner learn) {
            if (learn.isTraining() && learn.epoch() == epoch && learn.iter() == iter) {
                try {
                    Files.copy(learn.callback(CheckpointCallback.class).file(), to, StandardCopyOption.REPLACE_EXISTING);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }
    }

    private Run run(int initSeed, Path resume, Callback... extra) {
        List<TestData.Sample> items = TestData.blobs(120, 99, 1.0);
        try (NDManager m = NDManager.newBaseManager();
                DataLoaders dls = TestData.blobBlock(TestData.lastAsValid(120, 24)).dataLoaders(items,
                        DataLoaderOptions.defaults(8).withWorkers(2).withSeed(3))) {
            Module model = model(m, initSeed);
            try (Learner learn = Learner.builder(dls, model).progress(false).metrics(Metrics.accuracy()).build()) {
                Callback[] cbs = resume == null ? extra : new Callback[] {Checkpoint.resumeFrom(resume)};
                learn.fitOneCycle(3, Slice.all(1e-2), 25, 1e5, 0.25, cbs);
                return new Run(TestData.weights(model), TestData.optState(learn.opt()),
                        List.copyOf(learn.recorder().losses()), List.copyOf(learn.recorder().lrs()),
                        learn.recorder().values().stream().map(List::copyOf).toList());
            }
        }
    }

    @Test
    void resumedMidEpochEqualsUninterrupted() {
        Path mid = dir.resolve("mid.safetensors");
        Path end = dir.resolve("end-of-epoch0.safetensors");
        Run full = run(1, null, new CheckpointCallback(dir.resolve("ck"), 5), new Snapshot(1, 4, mid),
                new Snapshot(0, 11, end));
        Checkpoint.Meta meta = Checkpoint.readMeta(mid);
        assertEquals(1, meta.epoch());
        assertEquals(5, meta.nextIter());
        assertEquals(12 + 5, meta.trainIter());
        assertEquals(1, meta.recorder().values().size(), "one finished epoch in the recorder");
        // the fit's own checkpoint folder holds the end of the fit
        assertEquals(3, Checkpoint.readMeta(dir.resolve("ck")).epoch());

        Run resumed = run(2, mid); // another initialisation: everything must come from the checkpoint
        assertEquals(full.weights(), resumed.weights(), "final weights");
        assertEquals(full.opt(), resumed.opt(), "optimizer state");
        assertEquals(full.losses(), resumed.losses(), "smoothed loss per iteration");
        assertEquals(full.lrs(), resumed.lrs(), "learning rate per iteration");
        assertEquals(full.table().size(), resumed.table().size());
        assertEquals(full.table(), resumed.table(), "epoch table");

        Run fromEpochEnd = run(3, end); // a checkpoint from the last training batch of epoch 0, before validation
        assertEquals(full.weights(), fromEpochEnd.weights());
        assertEquals(full.table(), fromEpochEnd.table());

        Run other = run(2, null); // and without the checkpoint the other initialisation ends elsewhere
        assertNotEquals(full.weights(), other.weights());
    }

    @Test
    void checkpointOfAnotherFitIsRefusedWithItsName() {
        Path ck = dir.resolve("ck");
        run(1, null, new CheckpointCallback(ck));
        List<TestData.Sample> items = TestData.blobs(120, 99, 1.0);
        try (NDManager m = NDManager.newBaseManager();
                DataLoaders dls = TestData.blobBlock(TestData.lastAsValid(120, 24)).dataLoaders(items,
                        DataLoaderOptions.defaults(8).withWorkers(0));
                Learner learn = Learner.builder(dls, model(m, 1)).progress(false).build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> learn.fit(5, Slice.all(1e-2), Checkpoint.resumeFrom(ck)));
            assertTrue(e.getMessage().contains("checkpoint.safetensors") && e.getMessage().contains("3 epochs"),
                    e.getMessage());
            learn.save("plain", false);
            IllegalArgumentException notCk = assertThrows(IllegalArgumentException.class,
                    () -> learn.fit(3, Slice.all(1e-2), Checkpoint.resumeFrom(learn.path().resolve("models/plain.safetensors"))));
            assertTrue(notCk.getMessage().contains("not a checkpoint"), notCk.getMessage());
        }
    }

    /** fastai's set_seed: one call, and the same program gives the same numbers (lr_find's valley included). */
    @Test
    void setSeedMakesRunsRepeat() {
        double[] valleys = new double[3];
        List<List<Double>> losses = new java.util.ArrayList<>();
        for (int r = 0; r < 3; r++) {
            Fastai4j.setSeed(r < 2 ? 11 : 12);
            List<TestData.Sample> items = TestData.blobs(120, 99, 1.0);
            try (NDManager m = NDManager.newBaseManager();
                    DataLoaders dls = TestData.blobBlock(TestData.lastAsValid(120, 24)).dataLoaders(items,
                            DataLoaderOptions.defaults(8).withWorkers(2));
                    Learner learn = Learner.builder(dls, new Sequential(new Linear(m, 2, 16, true), Layers.relu(),
                            Layers.dropout(0.3f), new Linear(m, 16, 2, true))).progress(false).build()) {
                valleys[r] = learn.lrFind(1e-5, 1, 30, true).valley();
                learn.fitOneCycle(1, 1e-2);
                losses.add(List.copyOf(learn.recorder().losses()));
            }
        }
        assertEquals(valleys[0], valleys[1], 0.0, "lr_find valley");
        assertEquals(losses.get(0), losses.get(1));
        assertNotEquals(losses.get(0), losses.get(2), "another seed, other numbers");
    }
}
