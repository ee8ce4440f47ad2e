package ai.fastai4j.learner;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.fastai4j.data.CategoryBlock;
import ai.fastai4j.data.DataBlock;
import ai.fastai4j.data.DataLoaderOptions;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.RegressionBlock;
import ai.fastai4j.data.Splitter;
import ai.fastai4j.data.Splitters;
import ai.fastai4j.data.VectorBlock;
import ai.fastai4j.nn.Layers;
import ai.fastai4j.nn.Linear;
import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.Sequential;
import ai.fastai4j.optim.Optimizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.IntStream;

/** Shared fixtures for the learner tests: in-memory samples, tiny models, snapshots of native state. */
final class TestData {
    private TestData() {}

    /** A labelled 2-d point. */
    record Sample(float[] x, String label) {
        @Override
        public String toString() {
            return "Sample(" + Arrays.toString(x) + ", " + label + ")";
        }
    }

    /** A 2-d point with a numeric target. */
    record Point(float[] x, float y) {
        @Override
        public String toString() {
            return "Point(" + Arrays.toString(x) + ", " + y + ")";
        }
    }

    /** Two Gaussian blobs: even items are "a" around (-sep, -sep), odd items "b" around (sep, sep). */
    static List<Sample> blobs(int n, long seed, double sep) {
        Random r = new Random(seed);
        List<Sample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double c = i % 2 == 0 ? -sep : sep;
            float[] x = {(float) (c + r.nextGaussian()), (float) (c + r.nextGaussian())};
            out.add(new Sample(x, i % 2 == 0 ? "a" : "b"));
        }
        return out;
    }

    /** y = 2 x0 - 3 x1 + 1 plus a little noise. */
    static List<Point> linearPoints(int n, long seed) {
        Random r = new Random(seed);
        List<Point> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            float a = (float) r.nextGaussian();
            float b = (float) r.nextGaussian();
            out.add(new Point(new float[] {a, b}, (float) (2 * a - 3 * b + 1 + 0.05 * r.nextGaussian())));
        }
        return out;
    }

    /** The last {@code nValid} indices of {@code n} items go to validation. */
    static <I> Splitter<I> lastAsValid(int n, int nValid) {
        return Splitters.byIndex(IntStream.range(n - nValid, n).toArray());
    }

    static DataBlock<Sample> blobBlock(Splitter<Sample> splitter) {
        return DataBlock.<Sample>builder(VectorBlock.of(2), CategoryBlock.create()).getX(Sample::x)
                .getY(Sample::label).splitter(splitter).build();
    }

    /** Blob loaders: the last {@code nValid} items validate; batch size {@code bs}; {@code workers} threads. */
    static DataLoaders blobLoaders(List<Sample> items, int nValid, int bs, int workers) {
        return blobBlock(lastAsValid(items.size(), nValid)).dataLoaders(items,
                DataLoaderOptions.defaults(bs).withWorkers(workers));
    }

    static DataLoaders pointLoaders(List<Point> items, int nValid, int bs, int workers) {
        return DataBlock.<Point>builder(VectorBlock.of(2), RegressionBlock.create()).getX(Point::x).getY(Point::y)
                .splitter(lastAsValid(items.size(), nValid)).build()
                .dataLoaders(items, DataLoaderOptions.defaults(bs).withWorkers(workers));
    }

    /** Linear(2, hidden) - ReLU - Linear(hidden, out), initialised after seeding torch with {@code seed}. */
    static Module mlp(NDManager m, int seed, int hidden, int out) {
        Engine.getInstance().setRandomSeed(seed);
        return new Sequential(new Linear(m, 2, hidden, true), Layers.relu(), new Linear(m, hidden, out, true));
    }

    /** A model manager, data loaders and a learner, closed together. */
    static final class Rig implements AutoCloseable {
        final NDManager manager;
        final DataLoaders dls;
        final Module model;
        final Learner learn;

        Rig(NDManager manager, DataLoaders dls, Module model, Learner learn) {
            this.manager = manager;
            this.dls = dls;
            this.model = model;
            this.learn = learn;
        }

        @Override
        public void close() {
            try {
                learn.close();
            } finally {
                dls.close();
                manager.close();
            }
        }
    }

    /**
     * A rig on {@code items} (blobs, last {@code nValid} validate) with a fresh seeded MLP; {@code configure}
     * may change the builder (progress is off).
     */
    static Rig blobRig(List<Sample> items, int nValid, int bs, int workers, int seed,
            Consumer<Learner.Builder> configure) {
        NDManager m = NDManager.newBaseManager();
        DataLoaders dls = null;
        try {
            dls = blobLoaders(items, nValid, bs, workers);
            Module model = mlp(m, seed, 16, 2);
            Learner.Builder b = Learner.builder(dls, model).progress(false);
            configure.accept(b);
            return new Rig(m, dls, model, b.build());
        } catch (RuntimeException e) {
            if (dls != null) {
                dls.close();
            }
            m.close();
            throw e;
        }
    }

    /** A regression rig on {@link #linearPoints} with a seeded Linear-ReLU-Linear(1) model and MSE. */
    static Rig pointRig(int nTrain, int nValid, int bs, int seed) {
        NDManager m = NDManager.newBaseManager();
        DataLoaders dls = null;
        try {
            dls = pointLoaders(linearPoints(nTrain + nValid, 5), nValid, bs, 0);
            Module model = mlp(m, seed, 16, 1);
            return new Rig(m, dls, model, Learner.builder(dls, model).progress(false).build());
        } catch (RuntimeException e) {
            if (dls != null) {
                dls.close();
            }
            m.close();
            throw e;
        }
    }

    static Rig blobRig(int nTrain, int nValid, int bs, int seed) {
        return blobRig(blobs(nTrain + nValid, 7, 2.0), nValid, bs, 0, seed, b -> { });
    }

    /** Exact contents (shape, type, bytes) of every tensor, by name. */
    static Map<String, String> snapshot(Map<String, NDArray> tensors) {
        Map<String, String> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> out.put(k, v.getShape() + " " + v.getDataType() + " "
                + Base64.getEncoder().encodeToString(v.toByteArray())));
        return out;
    }

    static Map<String, String> weights(Module model) {
        return snapshot(model.stateDict());
    }

    /** The optimizer's state dict (hyper-parameters and per-parameter state), copied out and freed. */
    static Map<String, String> optState(Optimizer opt) {
        Map<String, NDArray> sd = opt.stateDict();
        try {
            return snapshot(sd);
        } finally {
            sd.values().forEach(NDArray::close);
        }
    }

    static float[] values(NDArray a) {
        return a.toFloatArray();
    }

    /** Every live array of the engine: the system manager's tree, sub-managers included. */
    static int liveArrays() {
        try (NDManager probe = NDManager.newBaseManager()) {
            return probe.getParentManager().getManagedArrays().size();
        }
    }

    /** Applies {@code f} to the samples' labels (for tests that need odd labels). */
    static List<Sample> relabel(List<Sample> items, Function<Sample, String> f) {
        List<Sample> out = new ArrayList<>();
        for (Sample s : items) {
            out.add(new Sample(s.x(), f.apply(s)));
        }
        return out;
    }
}
