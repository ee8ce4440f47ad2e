package ai.fastai4j.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.fastai4j.data.BatchTransform;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.Datasets;
import ai.fastai4j.data.ItemTransform;
import ai.fastai4j.data.Pipeline;
import ai.fastai4j.data.TransformBlock;
import ai.fastai4j.io.AtomicFiles;
import ai.fastai4j.io.Safetensors;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.learner.Recorder;
import ai.fastai4j.losses.LossFunction;
import ai.fastai4j.nn.ModelSpec;
import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Exports a trained {@link Learner} to a {@code .fai} {@link ModelFile}: a JSON manifest of declarative
 * descriptions (block ids and parameters such as the vocabulary, transform ids and parameters, the loss, the
 * model factory and its parameters) and the weights in safetensors. No Java object is serialised.
 *
 * <p>Everything is checked before anything is written: every block, item transform, batch transform and the loss
 * must have a describer in the {@link ExportRegistry} (else an {@link ExportException} names the one that has
 * none), every description must rebuild an equal component, and the model factory must rebuild a model with the
 * learner's tensor names and shapes. The file is written to a temporary file in the same folder and moved into
 * place, so a reader never sees half a file.
 *
 * <p><b>How the model is rebuilt.</b> The learner's {@link Learner#modelSpec() model spec} names a registered
 * {@link ModelFactory} and its parameters (a JSON-like map). Applications that build learners set it (the vision
 * learner {@code "vision_model"} with {@code {arch, n_in, n_out}}, the tabular and collab learners their model's
 * sizes and options); a learner built around a hand-made model needs a factory registered with
 * {@link ExportRegistry#registerModel} and {@link Learner#setModelSpec}. The factory may also check its parameters
 * against the input blocks ({@link ModelFactory#checkInputs}), on export and on loading.
 */
public final class ModelExport {
    private ModelExport() {}

    /** Exports with the {@link ExportRegistry#global() global registry}; returns {@code file}. */
    public static Path export(Learner learn, Path file) {
        return export(learn, file, ExportRegistry.global());
    }

    /**
     * Exports {@code learn} to {@code file} (replaced if it exists).
     *
     * @throws ExportException when something cannot be described, the last fit was stopped for a NaN loss or the
     *     weights are not finite, before anything is written
     * @throws UncheckedIOException when writing fails (no partial file is left)
     */
    public static Path export(Learner learn, Path file, ExportRegistry registry) {
        FiniteWeights.checkExportable(learn);
        Plan plan = plan(learn, registry);
        // a shutdown waits for the file to be written whole (the JVM never exits mid-write)
        try (ai.fastai4j.learner.ShutdownGuard.Region work = ai.fastai4j.learner.ShutdownGuard.work("export")) {
            write(learn.model(), plan, file);
        }
        return file;
    }

    /** Everything the manifest holds but the weights. */
    private record Plan(String task, ModelSpec model, List<Manifest.Component> inputs,
            Manifest.Component target, List<Manifest.Component> itemTransforms,
            List<Manifest.Component> batchTransforms, Manifest.Component loss, Map<String, Object> provenance) {}

    private static Plan plan(Learner learn, ExportRegistry registry) {
        DataLoaders dls = learn.dls();
        Datasets<?> ds = dls.datasets();
        List<TransformBlock> blocks = ds.blocks();
        int nInputs = ds.nInputs();
        if (blocks.size() - nInputs != 1) {
            throw new ExportException("cannot export: the data has " + (blocks.size() - nInputs)
                    + " target blocks; export supports exactly one");
        }
        List<Manifest.Component> inputs = new ArrayList<>();
        for (int i = 0; i < nInputs; i++) {
            inputs.add(block(registry, blocks.get(i), ds.pipelines().get(i), "input block"));
        }
        TransformBlock targetBlock = blocks.get(nInputs);
        Manifest.Component target = block(registry, targetBlock, ds.pipelines().get(nInputs), "target block");
        ExportRegistry.BlockCodec targetCodec = registry.blockFor(targetBlock.getClass());
        List<Manifest.Component> items = new ArrayList<>();
        for (ItemTransform t : dls.itemTransforms()) {
            items.add(component(registry.itemTransformFor(t.getClass()), t, t.name(), "item transform",
                    "registerItemTransform"));
        }
        List<Manifest.Component> batch = new ArrayList<>();
        for (BatchTransform t : dls.batchTransforms()) {
            batch.add(component(registry.batchTransformFor(t.getClass()), t, t.name(), "batch transform",
                    "registerBatchTransform"));
        }
        LossFunction lf = learn.lossFunction();
        Manifest.Component loss = component(registry.lossFor(lf.getClass()), lf, lf.name(), "loss", "registerLoss");

        ModelSpec model = modelSpec(learn, registry);
        ModelFactory factory = registry.model(model.name());
        checkOutputs(targetCodec, target, factory, model);
        try {
            factory.checkInputs(model.params(), inputs);
        } catch (RuntimeException e) {
            throw new ExportException("cannot export: model factory '" + model.name() + "' does not fit the input "
                    + "blocks: " + e.getMessage(), e);
        }
        checkRebuild(learn.model(), factory, model);

        String task = targetCodec.task() == null ? "custom" : targetCodec.task();
        return new Plan(task, model, inputs, target, items, batch, loss, provenance(learn));
    }

    private static Manifest.Component block(ExportRegistry registry, TransformBlock b, Pipeline pipeline, String what) {
        ExportRegistry.BlockCodec c = registry.blockFor(b.getClass());
        String label = what + " " + b.name() + " (" + b.getClass().getName() + ")";
        if (c == null) {
            throw new ExportException("cannot export: " + label + " is not describable; register it with ExportRegistry "
                    + "(registerBlock or registerTargetBlock)");
        }
        Map<String, Object> params = guard(label, () -> ExportRegistry.describe(c, b, pipeline));
        Map<String, Object> stored = stored(params, label);
        TransformBlock rebuilt = guard(label, () -> c.factory().apply(stored));
        Map<String, Object> again = guard(label, () -> ExportRegistry.describe(c, rebuilt,
                new Pipeline(rebuilt.typeTransforms())));
        checkSame(label, rebuilt, b, params, again);
        return new Manifest.Component(c.id(), stored);
    }

    private static <T> Manifest.Component component(ExportRegistry.Codec<T> c, T instance, String name, String what,
            String how) {
        String label = what + " " + name + " (" + instance.getClass().getName() + ")";
        if (c == null) {
            throw new ExportException("cannot export: " + label + " is not describable; register it with ExportRegistry ("
                    + how + ")");
        }
        Function<Object, Map<String, Object>> d = c.describer();
        Map<String, Object> params = guard(label, () -> d.apply(instance));
        Map<String, Object> stored = stored(params, label);
        T rebuilt = guard(label, () -> c.factory().apply(stored));
        Map<String, Object> again = guard(label, () -> d.apply(rebuilt));
        checkSame(label, rebuilt, instance, params, again);
        return new Manifest.Component(c.id(), stored);
    }

    private static <R> R guard(String label, java.util.function.Supplier<R> s) {
        try {
            R r = s.get();
            if (r == null) {
                throw new ExportException("cannot export: " + label + ": its registered describer or factory returned null");
            }
            return r;
        } catch (ExportException e) {
            throw e.getMessage().startsWith("cannot export") ? e : new ExportException("cannot export: " + label + ": "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new ExportException("cannot export: " + label + ": " + e.getMessage(), e);
        }
    }

    /** The parameters as the file will hold them (JSON written and read back). */
    private static Map<String, Object> stored(Map<String, Object> params, String label) {
        JsonNode n;
        try {
            n = JsonSupport.canonical(JsonSupport.toNode(params, "the parameters", false));
        } catch (ExportException e) {
            throw new ExportException("cannot export: " + label + ": " + e.getMessage(), e);
        }
        return JsonSupport.toJavaMap(n);
    }

    private static void checkSame(String label, Object rebuilt, Object original, Map<String, Object> params,
            Map<String, Object> again) {
        if (rebuilt.getClass() != original.getClass()) {
            throw new ExportException("cannot export: " + label + ": its registered factory makes a "
                    + rebuilt.getClass().getName() + ", not a " + original.getClass().getName());
        }
        JsonNode a = JsonSupport.canonical(JsonSupport.toNode(params, "params", false));
        JsonNode b = JsonSupport.canonical(JsonSupport.toNode(again, "params", false));
        if (!a.equals(b)) {
            throw new ExportException("cannot export: " + label + ": its parameters " + a + " do not survive a round "
                    + "trip through the file (rebuilt: " + b + ")");
        }
    }

    private static ModelSpec modelSpec(Learner learn, ExportRegistry registry) {
        ModelSpec spec = learn.modelSpec();
        if (spec == null) {
            throw new ExportException("cannot export: the learner does not say how to rebuild its model: set "
                    + "learn.setModelSpec(new ModelSpec(factory, params)) with the name of a registered model factory "
                    + "(vision, tabular and collab learners do this; for your own model, register a factory with "
                    + "ExportRegistry.registerModel)");
        }
        String n = spec.name();
        if (registry.model(n) == null) {
            throw new ExportException("cannot export: model factory '" + n + "' is not registered (known: "
                    + registry.modelFactoryNames() + ")");
        }
        JsonNode node = JsonSupport.canonical(JsonSupport.toNode(spec.params(), "model factory '" + n + "' parameters",
                false));
        return new ModelSpec(n, JsonSupport.toJavaMap(node));
    }

    private static void checkOutputs(ExportRegistry.BlockCodec target, Manifest.Component targetSpec,
            ModelFactory factory, ModelSpec model) {
        if (target.outputs() == null) {
            return;
        }
        int want = target.outputs().applyAsInt(targetSpec.params());
        OptionalInt have = factory.outputs(model.params());
        if (have.isPresent() && have.getAsInt() != want) {
            throw new ExportException("cannot export: the target '" + target.id() + "' needs " + want + " model outputs "
                    + "but model factory '" + model.name() + "' with " + model.params() + " builds " + have.getAsInt());
        }
    }

    /** Builds the model from its factory once and checks it has the learner's tensors (names, shapes, types). */
    private static void checkRebuild(Module original, ModelFactory factory, ModelSpec spec) {
        try (NDManager m = NDManager.newBaseManager()) {
            Module rebuilt;
            try {
                rebuilt = factory.create(m, spec.params());
            } catch (RuntimeException e) {
                throw new ExportException("cannot export: model factory '" + spec.name() + "' fails with " + spec.params()
                        + ": " + e.getMessage(), e);
            }
            Map<String, Parameter> a = original.namedParameters();
            Map<String, Parameter> b = rebuilt.namedParameters();
            List<String> diff = new ArrayList<>();
            for (Map.Entry<String, Parameter> e : a.entrySet()) {
                Parameter p = b.get(e.getKey());
                if (p == null) {
                    diff.add(e.getKey() + " is missing");
                } else if (!p.data().getShape().equals(e.getValue().data().getShape())
                        || p.data().getDataType() != e.getValue().data().getDataType()) {
                    diff.add(e.getKey() + " is " + p.data().getDataType() + " " + p.data().getShape() + ", not "
                            + e.getValue().data().getDataType() + " " + e.getValue().data().getShape());
                }
            }
            for (String k : b.keySet()) {
                if (!a.containsKey(k)) {
                    diff.add(k + " is extra");
                }
            }
            rebuilt.close();
            if (!diff.isEmpty()) {
                throw new ExportException("cannot export: model factory '" + spec.name() + "' with " + spec.params()
                        + " does not rebuild the learner's model: " + (diff.size() > 8 ? diff.subList(0, 8) + "..." : diff));
            }
        }
    }

    private static Map<String, Object> provenance(Learner learn) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.putAll(learn.provenance());
        Datasets<?> ds = learn.dls().datasets();
        p.putIfAbsent("train_items", ds.split().train().length);
        p.putIfAbsent("valid_items", ds.split().valid().length);
        p.putIfAbsent("batch_size", learn.dls().options().batchSize());
        p.putIfAbsent("model_parameter_count", learn.model().parameterCount());
        if (learn.hasCallback(Recorder.class)) {
            Recorder r = learn.recorder();
            List<List<Double>> rows = r.values();
            p.putIfAbsent("last_fit_epochs", rows.size());
            if (!rows.isEmpty()) {
                List<String> names = r.metricNames(learn);
                List<Double> last = rows.get(rows.size() - 1);
                Map<String, Object> metrics = new LinkedHashMap<>();
                for (int i = 0; i < last.size() && i + 1 < names.size(); i++) {
                    metrics.put(names.get(i + 1), last.get(i));
                }
                p.putIfAbsent("final_metrics", metrics);
            }
        }
        // check now that it can be written (non-JSON values are refused with their key)
        JsonSupport.toNode(p, "provenance", true);
        return p;
    }

    // ---------------------------------------------------------------- writing

    private static void write(Module model, Plan plan, Path file) {
        Path weightsTmp = null;
        try {
            weightsTmp = AtomicFiles.temporarySibling(file, ".weights.tmp");
            MessageDigest md = ModelFile.sha256();
            CRC32 crc = new CRC32();
            int tensors;
            try (OutputStream os = new BufferedOutputStream(new CheckedOutputStream(
                    new DigestOutputStream(Files.newOutputStream(weightsTmp), md), crc), 1 << 16)) {
                Map<String, NDArray> state = model.stateDict(); // views of the live weights, only read here
                tensors = state.size();
                Safetensors.write(state, Map.of(), os);
            }
            long bytes = Files.size(weightsTmp);
            Manifest manifest = new Manifest(ModelFile.FORMAT, ModelFile.FORMAT_VERSION, version(),
                    Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), plan.task(), plan.model(), plan.inputs(),
                    plan.target(), plan.itemTransforms(), plan.batchTransforms(), plan.loss(),
                    new Manifest.Weights(ModelFile.WEIGHTS_ENTRY, HexFormat.of().formatHex(md.digest()), bytes, tensors),
                    plan.provenance());
            byte[] json = JsonSupport.write(manifest.toJson());
            if (json.length > ModelFile.MAX_MANIFEST_BYTES) {
                throw new ExportException("cannot export: the manifest would be " + json.length + " bytes, more than the "
                        + ModelFile.MAX_MANIFEST_BYTES + " a model file may hold (a huge vocabulary or provenance?)");
            }
            if (bytes > ModelFile.MAX_WEIGHTS_BYTES) {
                throw new ExportException("cannot export: the weights are " + bytes + " bytes, more than the "
                        + ModelFile.MAX_WEIGHTS_BYTES + " a model file may hold");
            }
            Path weights = weightsTmp;
            AtomicFiles.write(file, out -> {
                ZipOutputStream zos = new ZipOutputStream(out);
                ZipEntry me = new ZipEntry(ModelFile.MANIFEST_ENTRY);
                me.setMethod(ZipEntry.DEFLATED);
                zos.putNextEntry(me);
                zos.write(json);
                zos.closeEntry();
                ZipEntry we = new ZipEntry(ModelFile.WEIGHTS_ENTRY);
                we.setMethod(ZipEntry.STORED);
                we.setSize(bytes);
                we.setCompressedSize(bytes);
                we.setCrc(crc.getValue());
                zos.putNextEntry(we);
                try (InputStream in = Files.newInputStream(weights)) {
                    in.transferTo(zos);
                }
                zos.closeEntry();
                zos.finish();
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write model file " + file + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(weightsTmp);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a temporary file; nothing else to do
            }
        }
    }

    /** This fastai4j's version, from the jar manifest or Maven metadata when available. */
    static String version() {
        String v = ModelExport.class.getPackage().getImplementationVersion();
        if (v != null) {
            return v;
        }
        try (InputStream in = ModelExport.class.getResourceAsStream(
                "/META-INF/maven/ai.fastai4j/fastai4j-core/pom.properties")) {
            if (in != null) {
                java.util.Properties p = new java.util.Properties();
                p.load(in);
                String pv = p.getProperty("version");
                if (pv != null) {
                    return pv;
                }
            }
        } catch (IOException ignored) {
            // fall through
        }
        return "development";
    }
}
