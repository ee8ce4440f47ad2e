package ai.fastai4j.export;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.data.Batch;
import ai.fastai4j.data.BatchTransform;
import ai.fastai4j.data.CategoryBlock;
import ai.fastai4j.data.DataBlock;
import ai.fastai4j.data.DataException;
import ai.fastai4j.data.DataLoaderOptions;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.HostTensor;
import ai.fastai4j.data.ItemTransform;
import ai.fastai4j.data.RegressionBlock;
import ai.fastai4j.data.Split;
import ai.fastai4j.data.Splitters;
import ai.fastai4j.data.TensorKind;
import ai.fastai4j.data.Transform;
import ai.fastai4j.data.TransformBlock;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.nn.BatchNorm;
import ai.fastai4j.nn.Layers;
import ai.fastai4j.nn.Linear;
import ai.fastai4j.nn.ModelSpec;
import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.Sequential;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/** Test-only exportable components (a vector block, transforms, an MLP factory) and file surgery helpers. */
final class ExportFixtures {
    private ExportFixtures() {}

    /** Fixed-length float vectors collated to (N, dim) floats. */
    static final class Vec implements TransformBlock {
        final int dim;

        Vec(int dim) {
            this.dim = dim;
        }

        @Override
        public List<Transform<?, ?>> typeTransforms() {
            return List.of(new CheckVec(dim));
        }

        @Override
        public TensorKind kind() {
            return TensorKind.CONTINUOUS;
        }

        @Override
        public HostTensor collate(List<Object> values) {
            float[] out = new float[values.size() * dim];
            for (int i = 0; i < values.size(); i++) {
                System.arraycopy((float[]) values.get(i), 0, out, i * dim, dim);
            }
            return HostTensor.ofFloats(out, new Shape(values.size(), dim), TensorKind.CONTINUOUS);
        }
    }

    /** Accepts float[] of the right length only. */
    static final class CheckVec implements Transform<Object, float[]> {
        final int dim;

        CheckVec(int dim) {
            this.dim = dim;
        }

        @Override
        public float[] encode(Object input) {
            if (!(input instanceof float[] v) || v.length != dim) {
                throw new DataException("expected a float[" + dim + "], got " + (input == null ? "null"
                        : input instanceof float[] f ? "float[" + f.length + "]" : input.getClass().getSimpleName()));
            }
            return v;
        }
    }

    /** Adds Gaussian noise on the training split only. */
    static final class Jitter implements ItemTransform {
        final double sigma;

        Jitter(double sigma) {
            this.sigma = sigma;
        }

        @Override
        public List<Object> apply(List<Object> sample, Split split, Random rng) {
            if (split != Split.TRAIN) {
                return sample;
            }
            List<Object> out = new ArrayList<>();
            for (Object o : sample) {
                if (o instanceof float[] v) {
                    float[] c = v.clone();
                    for (int i = 0; i < c.length; i++) {
                        c[i] += (float) (sigma * rng.nextGaussian());
                    }
                    out.add(c);
                } else {
                    out.add(o);
                }
            }
            return out;
        }
    }

    /** Multiplies continuous inputs by a factor. */
    static final class Scale implements BatchTransform {
        final float factor;

        Scale(float factor) {
            this.factor = factor;
        }

        @Override
        public Batch encode(Batch batch, Split split) {
            return batch.mapInputs(TensorKind.CONTINUOUS, x -> x.mul(factor));
        }
    }

    /** An item transform nobody registered. */
    static final class MyCrop implements ItemTransform {
        @Override
        public List<Object> apply(List<Object> sample, Split split, Random rng) {
            return sample;
        }
    }

    /** Linear(in, hidden) - BatchNorm - ReLU - Linear(hidden, out). */
    static Module mlp(NDManager m, int in, int hidden, int out) {
        return new Sequential(new Linear(m, in, hidden, true), new BatchNorm(m, hidden), Layers.relu(),
                new Linear(m, hidden, out, true));
    }

    /** Core's defaults plus the test-only components. */
    static ExportRegistry registry() {
        ExportRegistry r = ExportRegistry.withDefaults();
        r.registerBlock("test_vector", Vec.class, (b, p) -> Map.of("dim", b.dim), p -> new Vec(Params.getInt(p, "dim", 1)));
        r.registerItemTransform("test_jitter", Jitter.class, t -> Map.of("sigma", t.sigma),
                p -> new Jitter(Params.getDouble(p, "sigma")));
        r.registerBatchTransform("test_scale", Scale.class, t -> Map.of("factor", (double) t.factor),
                p -> new Scale(Params.getFloat(p, "factor")));
        r.registerModel("test_mlp", new ModelFactory() {
            @Override
            public Module create(NDManager m, Map<String, Object> p) {
                return mlp(m, Params.getInt(p, "in", 1), Params.getInt(p, "hidden", 1), Params.getInt(p, "out", 1));
            }

            @Override
            public java.util.OptionalInt outputs(Map<String, Object> p) {
                return java.util.OptionalInt.of(Params.getInt(p, "out"));
            }

            @Override
            public void checkInputs(Map<String, Object> p, List<Manifest.Component> inputs) {
                int dim = Params.getInt(inputs.get(0).params(), "dim");
                if (dim != Params.getInt(p, "in")) {
                    throw new IllegalArgumentException("the input vectors have " + dim + " values, the model takes "
                            + Params.getInt(p, "in"));
                }
            }
        });
        return r;
    }

    record Sample(float[] x, Object y) {}

    /** Two blobs labelled "a" (around -2) and "b" (around +2); the last quarter validates. */
    static List<Sample> blobs(int n, long seed) {
        Random r = new Random(seed);
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double c = i % 2 == 0 ? -2 : 2;
            out.add(new Sample(new float[] {(float) (c + r.nextGaussian()), (float) (c + r.nextGaussian())},
                    i % 2 == 0 ? "a" : "b"));
        }
        return out;
    }

    static List<Sample> line(int n, long seed) {
        Random r = new Random(seed);
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float a = (float) r.nextGaussian();
            float b = (float) r.nextGaussian();
            out.add(new Sample(new float[] {a, b}, 2 * a - 3 * b + 1));
        }
        return out;
    }

    /** A learner, its loaders and model manager, closed together. */
    static final class Rig implements AutoCloseable {
        final NDManager manager;
        final DataLoaders dls;
        final Learner learn;

        Rig(NDManager manager, DataLoaders dls, Learner learn) {
            this.manager = manager;
            this.dls = dls;
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
     * A trained rig: classification ({@code regression} false) or regression, with jitter and scale transforms
     * plus {@code extraItem} when not null; {@code configure} may change the builder; provenance says how to
     * rebuild the model.
     */
    static Rig rig(boolean regression, ItemTransform extraItem, Consumer<Learner.Builder> configure, int epochs) {
        List<Sample> items = regression ? line(64, 3) : blobs(64, 3);
        List<ItemTransform> itfms = new ArrayList<>(List.of(new Jitter(0.1)));
        if (extraItem != null) {
            itfms.add(extraItem);
        }
        DataBlock<Sample> block = DataBlock.<Sample>builder(new Vec(2),
                        regression ? RegressionBlock.create() : CategoryBlock.create())
                .getX(Sample::x).getY(Sample::y)
                .splitter(Splitters.byIndex(IntStream.range(48, 64).toArray()))
                .itemTfms(itfms.toArray(new ItemTransform[0]))
                .batchTfms(new Scale(0.5f))
                .build();
        DataLoaders dls = block.dataLoaders(items, DataLoaderOptions.defaults(8).withWorkers(0));
        NDManager m = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(11);
        int out = regression ? 1 : 2;
        Module model = mlp(m, 2, 8, out);
        Learner.Builder b = Learner.builder(dls, model).progress(false);
        configure.accept(b);
        Learner learn = b.build();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("in", 2);
        params.put("hidden", 8);
        params.put("out", out);
        learn.setModelSpec(new ModelSpec("test_mlp", params));
        learn.provenance().put("note", "unit test");
        if (epochs > 0) {
            learn.fit(epochs, 1e-2);
        }
        return new Rig(m, dls, learn);
    }

    static Rig classifier() {
        return rig(false, null, b -> { }, 2);
    }

    // ---------------------------------------------------------------- file surgery

    static Map<String, byte[]> unzip(Path file) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipFile zf = new ZipFile(file.toFile())) {
            var en = zf.entries();
            while (en.hasMoreElements()) {
                ZipEntry e = en.nextElement();
                try (InputStream in = zf.getInputStream(e)) {
                    out.put(e.getName(), in.readAllBytes());
                }
            }
        }
        return out;
    }

    static void zip(Map<String, byte[]> entries, Path file) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zos = new ZipOutputStream(os)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zos.putNextEntry(new ZipEntry(e.getKey()));
                zos.write(e.getValue());
                zos.closeEntry();
            }
        }
    }

    /** A copy of {@code src} at {@code dst} whose entries went through {@code edit}. */
    static Path rezip(Path src, Path dst, UnaryOperator<Map<String, byte[]>> edit) throws IOException {
        zip(edit.apply(unzip(src)), dst);
        return dst;
    }

    static final ObjectMapper JSON = new ObjectMapper();

    /** A copy whose manifest went through {@code edit}. */
    static Path editManifest(Path src, Path dst, Consumer<ObjectNode> edit) throws IOException {
        return rezip(src, dst, m -> {
            try {
                ObjectNode root = (ObjectNode) JSON.readTree(m.get(ModelFile.MANIFEST_ENTRY));
                edit.accept(root);
                m.put(ModelFile.MANIFEST_ENTRY, JSON.writeValueAsBytes(root));
                return m;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(a);
        o.writeBytes(b);
        return o.toByteArray();
    }
}
