package ai.fastai4j.export;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.fastai4j.data.Batch;
import ai.fastai4j.data.BatchTransform;
import ai.fastai4j.data.DataException;
import ai.fastai4j.data.HostTensor;
import ai.fastai4j.data.ItemTransform;
import ai.fastai4j.data.Pipeline;
import ai.fastai4j.data.Split;
import ai.fastai4j.data.TensorKind;
import ai.fastai4j.data.TransformBlock;
import ai.fastai4j.engine.Devices;
import ai.fastai4j.engine.NoGrad;
import ai.fastai4j.learner.Prediction;
import ai.fastai4j.losses.LossFunction;
import ai.fastai4j.nn.ModelSpec;
import ai.fastai4j.nn.Module;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * A model loaded from a {@code .fai} file for prediction, with the input and output pipelines it was trained
 * with rebuilt from the manifest: raw inputs (whatever the input block accepts: an image file's {@link Path},
 * encoded bytes, a {@code BufferedImage}; a tabular row or a (user, item) pair as a {@code Map} of column to
 * value...) go through the block's type transforms, the item transforms (as on
 * the validation split), collation, the batch transforms, the model, the loss's activation and decode, and the
 * target pipeline's decode (class index to label).
 *
 * <pre>{@code
 * try (InferenceModel model = InferenceModel.load(Path.of("pets.fai"))) {
 *     Prediction p = model.predict(Path.of("my_cat.jpg"));
 *     System.out.println(p.label() + " " + p.maxProb());
 * }
 * }</pre>
 *
 * <p>Thread-safe: any number of threads may predict at once. Each call runs in its own {@link NDScope} with
 * gradient recording off on the calling thread, the model is in evaluation mode and nothing in it changes; a
 * read-write lock only keeps {@link #close()} from freeing the model under a running prediction. Bad input (a
 * file that is not an image) throws a {@link DataException} and leaves the model usable.
 */
public final class InferenceModel implements AutoCloseable {
    /** Largest number of inputs {@link #predictBatch} sends through the model at once. */
    public static final int MAX_BATCH = 64;

    private final ModelFile modelFile;
    private final List<TransformBlock> inputBlocks;
    private final List<Pipeline> inputPipelines;
    private final TransformBlock targetBlock;
    private final Pipeline targetPipeline;
    private final List<ItemTransform> itemTransforms;
    private final List<BatchTransform> batchTransforms;
    private final LossFunction loss;
    private final NDManager manager;
    private final Module model;
    private final int expectedOutputs;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    private InferenceModel(ModelFile modelFile, List<TransformBlock> inputBlocks, TransformBlock targetBlock,
            List<ItemTransform> itemTransforms, List<BatchTransform> batchTransforms, LossFunction loss,
            NDManager manager, Module model, int expectedOutputs) {
        this.modelFile = modelFile;
        this.inputBlocks = List.copyOf(inputBlocks);
        List<Pipeline> ps = new ArrayList<>();
        for (TransformBlock b : inputBlocks) {
            ps.add(new Pipeline(b.typeTransforms()));
        }
        this.inputPipelines = List.copyOf(ps);
        this.targetBlock = targetBlock;
        this.targetPipeline = new Pipeline(targetBlock.typeTransforms());
        this.itemTransforms = List.copyOf(itemTransforms);
        this.batchTransforms = List.copyOf(batchTransforms);
        this.loss = loss;
        this.manager = manager;
        this.model = model;
        this.expectedOutputs = expectedOutputs;
    }

    /** Loads a model file with the {@link ExportRegistry#global() global registry}. */
    public static InferenceModel load(Path file) {
        return load(file, ExportRegistry.global());
    }

    /**
     * Loads a model file with the global registry onto {@code device} ({@code Device.cpu()}, {@code Device.gpu(n)};
     * null: {@code FASTAI4J_DEVICE}, else the engine's default, see {@link Devices}).
     */
    public static InferenceModel load(Path file, Device device) {
        return load(file, ExportRegistry.global(), device);
    }

    /** {@link #load(Path, ExportRegistry, Device)} on the configured or default device. */
    public static InferenceModel load(Path file, ExportRegistry registry) {
        return load(file, registry, null);
    }

    /**
     * Loads a model file: checks it ({@link ModelFile#read}), rebuilds every component with the factories
     * registered under the names the manifest gives, builds the model and loads its weights.
     *
     * @throws ModelFileException when the file is damaged, tampered with, too new, or names something unknown
     */
    public static InferenceModel load(Path file, ExportRegistry registry, Device device) {
        Device on = Devices.resolve(device);
        ModelFile mf = ModelFile.read(file);
        Manifest m = mf.manifest();
        List<TransformBlock> inputs = new ArrayList<>();
        for (int i = 0; i < m.inputs().size(); i++) {
            inputs.add(block(file, registry, m.inputs().get(i), "input block"));
        }
        TransformBlock target = block(file, registry, m.target(), "target block");
        ExportRegistry.BlockCodec targetCodec = registry.block(m.target().name());
        List<ItemTransform> items = new ArrayList<>();
        for (Manifest.Component c : m.itemTransforms()) {
            items.add(build(file, registry.itemTransform(c.name()), c, "item transform", ItemTransform.class));
        }
        List<BatchTransform> batch = new ArrayList<>();
        for (Manifest.Component c : m.batchTransforms()) {
            batch.add(build(file, registry.batchTransform(c.name()), c, "batch transform", BatchTransform.class));
        }
        LossFunction loss = build(file, registry.loss(m.loss().name()), m.loss(), "loss", LossFunction.class);

        ModelSpec spec = m.model();
        ModelFactory factory = registry.model(spec.name());
        if (factory == null) {
            throw new ModelFileException(file, "unknown model factory '" + spec.name() + "' (known: "
                    + registry.modelFactoryNames() + "; is the module that registers it on the class path?)");
        }
        int expected = -1;
        if (targetCodec.outputs() != null) {
            expected = guard(file, "target block '" + m.target().name() + "'",
                    () -> targetCodec.outputs().applyAsInt(m.target().params()));
            OptionalInt have = guard(file, "model factory '" + spec.name() + "'", () -> factory.outputs(spec.params()));
            if (have.isPresent() && have.getAsInt() != expected) {
                throw new ModelFileException(file, "the manifest does not add up: the target '" + m.target().name()
                        + "' needs " + expected + " model outputs (e.g. classes in its vocabulary) but model factory '"
                        + spec.name() + "' with " + spec.params() + " builds a model with " + have.getAsInt());
            }
        }
        try {
            factory.checkInputs(spec.params(), m.inputs());
        } catch (RuntimeException e) {
            throw new ModelFileException(file, "the manifest does not add up: model factory '" + spec.name()
                    + "' does not fit the input blocks: " + e.getMessage(), e);
        }
        NDManager manager = NDManager.newBaseManager(on);
        try {
            Module model = guard(file, "model factory '" + spec.name() + "' with " + spec.params(),
                    () -> factory.create(manager, spec.params()));
            mf.loadWeights(model, "model factory '" + spec.name() + "' with " + spec.params());
            checkFinite(file, model);
            model.eval();
            return new InferenceModel(mf, inputs, target, items, batch, loss, manager, model, expected);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static void checkFinite(Path file, Module model) {
        List<String> bad = FiniteWeights.nonFinite(model.stateDict());
        if (!bad.isEmpty()) {
            throw new ModelFileException(file, "the weights are not finite (NaN or infinite values in "
                    + FiniteWeights.describe(bad) + "): the training that made this file diverged");
        }
    }

    private static TransformBlock block(Path file, ExportRegistry registry, Manifest.Component c, String what) {
        ExportRegistry.BlockCodec codec = registry.block(c.name());
        if (codec == null) {
            throw new ModelFileException(file, "unknown " + what + " '" + c.name() + "' (known: " + registry.blockIds()
                    + "; is the module that registers it on the class path?)");
        }
        TransformBlock b = guard(file, what + " '" + c.name() + "' with " + c.params(), () -> codec.factory().apply(c.params()));
        return checkType(file, b, codec.type(), what, c);
    }

    private static <T> T build(Path file, ExportRegistry.Codec<? extends T> codec, Manifest.Component c, String what,
            Class<T> base) {
        if (codec == null) {
            throw new ModelFileException(file, "unknown " + what + " '" + c.name() + "' (is the module that registers it "
                    + "on the class path?)");
        }
        Function<Map<String, Object>, ?> f = codec.factory();
        Object o = guard(file, what + " '" + c.name() + "' with " + c.params(), () -> f.apply(c.params()));
        return base.cast(checkType(file, o, codec.type(), what, c));
    }

    private static <T> T checkType(Path file, T o, Class<?> type, String what, Manifest.Component c) {
        if (o == null || o.getClass() != type) {
            throw new ModelFileException(file, what + " '" + c.name() + "': its registered factory made "
                    + (o == null ? "null" : o.getClass().getName()) + ", not " + type.getName());
        }
        return o;
    }

    private static <R> R guard(Path file, String what, java.util.function.Supplier<R> s) {
        try {
            return s.get();
        } catch (ModelFileException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ModelFileException(file, "the manifest's " + what + " cannot be rebuilt: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- prediction

    /** Predicts one raw input (for several input blocks, a {@code List} with one raw value per block). */
    public Prediction predict(Object rawInput) {
        return run(java.util.Collections.singletonList(rawInput), false).get(0);
    }

    /**
     * Predicts several raw inputs, in batches of up to {@value #MAX_BATCH}. A bad input fails the call with a
     * {@link DataException} naming its position. Results may differ from {@link #predict} in the last bits
     * (batched arithmetic).
     */
    public List<Prediction> predictBatch(List<?> rawInputs) {
        List<Prediction> out = new ArrayList<>(rawInputs.size());
        for (int from = 0; from < rawInputs.size(); from += MAX_BATCH) {
            List<Object> chunk = new ArrayList<>(rawInputs.subList(from, Math.min(rawInputs.size(), from + MAX_BATCH)));
            out.addAll(run(chunk, true, from));
        }
        return out;
    }

    /**
     * Predicts several raw inputs like {@link #predictBatch}, but a bad input does not fail the call: it gets an
     * {@link Outcome} with the reason, and the others are predicted. The good inputs of each run of
     * {@value #MAX_BATCH} go through the model together, so when every input is good the predictions equal
     * {@link #predictBatch}'s exactly.
     */
    public List<Outcome> predictEach(List<?> rawInputs) {
        List<Outcome> out = new ArrayList<>(rawInputs.size());
        for (int from = 0; from < rawInputs.size(); from += MAX_BATCH) {
            int to = Math.min(rawInputs.size(), from + MAX_BATCH);
            Outcome[] chunk = new Outcome[to - from];
            List<List<Object>> good = new ArrayList<>();
            List<Integer> where = new ArrayList<>();
            for (int i = from; i < to; i++) {
                Object raw = rawInputs.get(i);
                try {
                    good.add(raw instanceof Prepared p ? p.sample() : prepare(raw, "input " + describe(raw)));
                    where.add(i - from);
                } catch (DataException e) {
                    chunk[i - from] = Outcome.failed(e.getMessage());
                }
            }
            if (!good.isEmpty()) {
                List<Prediction> ps;
                try {
                    ps = forwardRows(good);
                } catch (DataException e) {
                    // the batch as a whole was refused: find the culprits one by one
                    ps = null;
                    for (int j = 0; j < good.size(); j++) {
                        try {
                            chunk[where.get(j)] = Outcome.of(forwardRows(List.of(good.get(j))).get(0));
                        } catch (DataException single) {
                            chunk[where.get(j)] = Outcome.failed(single.getMessage());
                        }
                    }
                }
                if (ps != null) {
                    for (int j = 0; j < ps.size(); j++) {
                        chunk[where.get(j)] = Outcome.of(ps.get(j));
                    }
                }
            }
            out.addAll(java.util.Arrays.asList(chunk));
        }
        return out;
    }

    /**
     * How many of {@code rawInputs} hold, per column, a value the model never saw in training (a category the
     * model maps to {@code #na#}, an unknown user or item): the columns with a count above zero, in the model's
     * column order. Empty for inputs without vocabularies (images). Reads the inputs only; predicts nothing.
     */
    public Map<String, Integer> unseenCategories(List<?> rawInputs) {
        Map<String, Integer> counts = new java.util.LinkedHashMap<>();
        for (int b = 0; b < inputPipelines.size(); b++) {
            for (Object t : inputPipelines.get(b).transforms()) {
                if (t instanceof ai.fastai4j.data.UnseenValues u) {
                    for (Object raw : rawInputs) {
                        Object part = inputPipelines.size() == 1 ? raw
                                : raw instanceof List<?> l && l.size() == inputPipelines.size() ? l.get(b) : null;
                        if (part == null) {
                            continue; // predict names the malformed input
                        }
                        for (String c : u.unseenColumns(part)) {
                            counts.merge(c, 1, Integer::sum);
                        }
                    }
                }
            }
        }
        return counts;
    }

    /** The device the model runs on. */
    public Device device() {
        return manager.getDevice();
    }

    /**
     * An input after its type and item transforms (decoded, resized...), ready for the model: {@link #predict} and
     * {@link #predictBatch} take it as they take a raw input. A server prepares inputs on the threads that receive
     * them, so that what waits for the model has the model's size, whatever size the client sent.
     */
    public record Prepared(List<Object> sample) {
        public Prepared {
            sample = java.util.Collections.unmodifiableList(new ArrayList<>(sample));
        }
    }

    /**
     * Runs the type and item transforms of one raw input now (as on the validation split).
     *
     * @throws DataException when the input cannot be used (not an image, a missing column...)
     */
    public Prepared prepare(Object rawInput) {
        return new Prepared(prepare(rawInput, "input " + describe(rawInput)));
    }

    private List<Prediction> run(List<Object> raws, boolean batch) {
        return run(raws, batch, 0);
    }

    private List<Prediction> run(List<Object> raws, boolean batch, int offset) {
        List<List<Object>> rows = new ArrayList<>(raws.size());
        for (int i = 0; i < raws.size(); i++) {
            Object raw = raws.get(i);
            rows.add(raw instanceof Prepared p ? p.sample() : prepare(raw, batch
                    ? "input " + (offset + i) + " (" + describe(raw) + ")" : "input " + describe(raw)));
        }
        return forwardRows(rows);
    }

    /** Runs prepared inputs through the model with gradient recording off, in a scope of their own. */
    private List<Prediction> forwardRows(List<List<Object>> rows) {
        ReentrantReadWriteLock.ReadLock rl = lock.readLock();
        rl.lock();
        try {
            if (closed) {
                throw new IllegalStateException("this InferenceModel is closed");
            }
            NoGrad noGrad = NoGrad.enter();
            try (NDManager m = NDManager.newBaseManager(manager.getDevice()); NDScope scope = new NDScope()) {
                return forward(rows, m);
            } finally {
                noGrad.close();
            }
        } finally {
            rl.unlock();
        }
    }

    /** Type transforms and item transforms of one raw input (validation split, fixed random state). */
    private List<Object> prepare(Object raw, String what) {
        try {
            int n = inputBlocks.size();
            List<Object> sample = new ArrayList<>(n);
            if (n == 1) {
                sample.add(inputPipelines.get(0).encode(raw));
            } else {
                if (!(raw instanceof List<?> parts) || parts.size() != n) {
                    throw new DataException("this model has " + n + " inputs: pass a list of " + n + " raw values");
                }
                for (int b = 0; b < n; b++) {
                    sample.add(inputPipelines.get(b).encode(parts.get(b)));
                }
            }
            Random rng = new Random(0);
            for (ItemTransform t : itemTransforms) {
                sample = t.apply(sample, Split.VALID, rng);
            }
            return sample;
        } catch (DataException e) {
            throw e.getMessage().contains(describe(raw)) ? e : new DataException(what + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new DataException(what + ": " + e, e);
        }
    }

    private List<Prediction> forward(List<List<Object>> rows, NDManager m) {
        List<NDArray> xs = new ArrayList<>();
        List<TensorKind> kinds = new ArrayList<>();
        for (int b = 0; b < inputBlocks.size(); b++) {
            List<Object> column = new ArrayList<>(rows.size());
            for (List<Object> r : rows) {
                column.add(r.get(b));
            }
            HostTensor t = inputBlocks.get(b).collate(column);
            xs.add(t.toNDArray(m));
            kinds.add(t.kind());
        }
        Batch batch = new Batch(xs, kinds, List.of(), List.of());
        NDArray act;
        NDArray decoded;
        try {
            for (BatchTransform t : batchTransforms) {
                batch = t.encode(batch, Split.VALID);
            }
            NDArray out = model.call(batch.xb());
            act = loss.activation(out);
            decoded = loss.decode(act);
        } catch (DataException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new DataException("the model cannot process this input (shape " + xs.get(0).getShape() + "): "
                    + e.getMessage(), e);
        }
        if (expectedOutputs > 0 && act.getShape().dimension() == 2 && act.getShape().get(1) != expectedOutputs) {
            throw new IllegalStateException("model file " + modelFile.file() + ": the model gives " + act.getShape().get(1)
                    + " outputs, its target expects " + expectedOutputs);
        }
        List<Prediction> preds = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Object raw = targetBlock.fromTensor(decoded, i);
            Object label = targetPipeline.decode(raw);
            float[] probs = act.get(i).toType(DataType.FLOAT32, false).toFloatArray();
            preds.add(new Prediction(label, raw, probs));
        }
        return preds;
    }

    private static String describe(Object raw) {
        if (raw == null) {
            return "null";
        }
        if (raw instanceof byte[] b) {
            return "(" + b.length + " bytes)";
        }
        String s = String.valueOf(raw);
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    // ---------------------------------------------------------------- accessors

    /** The target's class names in index order (empty for regression). */
    public List<String> vocab() {
        return modelFile.manifest().vocab();
    }

    /** The file's manifest. */
    public Manifest manifest() {
        return modelFile.manifest();
    }

    /** The file this model was loaded from. */
    public Path file() {
        return modelFile.file();
    }

    /** The input blocks rebuilt from the manifest. */
    public List<TransformBlock> inputBlocks() {
        return inputBlocks;
    }

    /** The item transforms rebuilt from the manifest, in order (run as on the validation split). */
    public List<ItemTransform> itemTransforms() {
        return itemTransforms;
    }

    /** The batch transforms rebuilt from the manifest, in order (the input blocks' own first). */
    public List<BatchTransform> batchTransforms() {
        return batchTransforms;
    }

    /** The loss rebuilt from the manifest (its activation and decode turn outputs into predictions). */
    public LossFunction lossFunction() {
        return loss;
    }

    /** The loaded model (evaluation mode); do not train or close it. */
    public Module model() {
        return model;
    }

    /** Frees the model; waits for running predictions to finish. Later predictions fail. */
    @Override
    public void close() {
        ReentrantReadWriteLock.WriteLock wl = lock.writeLock();
        wl.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            model.close();
            manager.close();
        } finally {
            wl.unlock();
        }
    }
}
