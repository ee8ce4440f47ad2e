package ai.fastai4j.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.fastai4j.data.DataBlock;
import ai.fastai4j.data.DataLoaderOptions;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.MultiCategoryBlock;
import ai.fastai4j.data.Splitters;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.learner.Prediction;
import ai.fastai4j.losses.Losses;
import ai.fastai4j.nn.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelExportTest {

    private static final ExportRegistry REGISTRY = ExportFixtures.registry();

    static List<float[]> probes() {
        return List.of(new float[] {-2f, -2f}, new float[] {2f, 2.5f}, new float[] {0.1f, -0.3f},
                new float[] {-0.5f, 0.7f}, new float[] {3f, -3f}, new float[] {-10f, 9f});
    }

    static Map<String, String> snapshot(Map<String, NDArray> state) {
        Map<String, String> out = new LinkedHashMap<>();
        state.forEach((k, v) -> out.put(k, v.getShape() + " " + v.getDataType() + " "
                + Base64.getEncoder().encodeToString(v.toByteArray())));
        return out;
    }

    @Test
    void exportThenLoadReproducesPredictionsExactly(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("blobs.fai");
        try (ExportFixtures.Rig rig = ExportFixtures.classifier()) {
            assertEquals(file, ModelExport.export(rig.learn, file, REGISTRY));
            try (Stream<Path> s = Files.list(dir)) {
                assertEquals(List.of(file), s.toList(), "no temporary files are left behind");
            }
            assertEquals(List.of(ModelFile.MANIFEST_ENTRY, ModelFile.WEIGHTS_ENTRY),
                    new ArrayList<>(ExportFixtures.unzip(file).keySet()));
            try (InferenceModel model = InferenceModel.load(file, REGISTRY)) {
                Manifest m = model.manifest();
                assertEquals("fastai4j-model", m.format());
                assertEquals(1, m.formatVersion());
                assertEquals("single_label_classification", m.task());
                assertEquals(List.of("a", "b"), model.vocab());
                assertEquals(new ModelSpec("test_mlp", Map.of("in", 2, "hidden", 8, "out", 2)), m.model());
                assertEquals(List.of(new Manifest.Component("test_vector", Map.of("dim", 2))), m.inputs());
                assertEquals("category", m.target().name());
                assertEquals(List.of("test_jitter"), m.itemTransforms().stream().map(Manifest.Component::name).toList());
                assertEquals(List.of("test_scale"), m.batchTransforms().stream().map(Manifest.Component::name).toList());
                assertEquals(0.5, m.batchTransforms().get(0).params().get("factor"));
                assertEquals(new Manifest.Component("cross_entropy_flat", Map.of("eps", 0.0)), m.loss());
                // buffers (BatchNorm running statistics) are part of the weights
                assertEquals(rig.learn.model().stateDict().size(), m.weights().tensors());
                assertTrue(rig.learn.model().stateDict().containsKey("1.running_mean"));
                assertEquals(2, m.provenance().get("last_fit_epochs"));
                assertEquals(48, m.provenance().get("train_items"));
                assertEquals(16, m.provenance().get("valid_items"));
                assertEquals("unit test", m.provenance().get("note"));
                @SuppressWarnings("unchecked")
                Map<String, Object> fin = (Map<String, Object>) m.provenance().get("final_metrics");
                assertEquals(rig.learn.recorder().values().get(1).get(1), (Double) fin.get("valid_loss"));

                assertEquals(snapshot(rig.learn.model().stateDict()), snapshot(model.model().stateDict()),
                        "weights and buffers come back bit for bit");
                assertFalse(model.model().isTraining());

                List<Prediction> batch = model.predictBatch(new ArrayList<>(probes()));
                int i = 0;
                for (float[] x : probes()) {
                    Prediction want = rig.learn.predict(x);
                    Prediction got = model.predict(x);
                    assertEquals(want.label(), got.label(), Arrays.toString(x));
                    assertEquals(want.decision(), got.decision());
                    assertArrayEquals(want.probs(), got.probs(), 0f, "exactly the same probabilities");
                    assertEquals(want.label(), batch.get(i).label());
                    assertArrayEquals(want.probs(), batch.get(i).probs(), 1e-6f);
                    i++;
                }
                assertEquals("a", model.predict(new float[] {-3f, -3f}).label());
                assertEquals("b", model.predict(new float[] {3f, 3f}).label());
            }
        }
    }

    @Test
    void regressionRoundTrip(@TempDir Path dir) {
        Path file = dir.resolve("line.fai");
        try (ExportFixtures.Rig rig = ExportFixtures.rig(true, null, b -> { }, 2)) {
            ModelExport.export(rig.learn, file, REGISTRY);
            try (InferenceModel model = InferenceModel.load(file, REGISTRY)) {
                assertEquals("regression", model.manifest().task());
                assertEquals(List.of(), model.vocab());
                assertEquals(new Manifest.Component("mse_flat", Map.of()), model.manifest().loss());
                for (float[] x : probes()) {
                    Prediction want = rig.learn.predict(x);
                    Prediction got = model.predict(x);
                    assertEquals(want.label(), got.label());
                    assertTrue(got.label() instanceof Float);
                    assertArrayEquals(want.probs(), got.probs(), 0f);
                }
            }
        }
    }

    @Test
    void multiLabelRoundTrip(@TempDir Path dir) {
        // labels: "east" when x > 0, "north" when y > 0 (a set, possibly empty)
        Random r = new Random(5);
        List<ExportFixtures.Sample> items = new ArrayList<>();
        for (int i = 0; i < 96; i++) {
            float x = (float) (2 * r.nextGaussian());
            float y = (float) (2 * r.nextGaussian());
            List<String> labels = new ArrayList<>();
            if (x > 0) {
                labels.add("east");
            }
            if (y > 0) {
                labels.add("north");
            }
            items.add(new ExportFixtures.Sample(new float[] {x, y}, labels));
        }
        DataBlock<ExportFixtures.Sample> block = DataBlock.<ExportFixtures.Sample>builder(new ExportFixtures.Vec(2),
                        MultiCategoryBlock.create())
                .getX(ExportFixtures.Sample::x).getY(ExportFixtures.Sample::y)
                .splitter(Splitters.byIndex(IntStream.range(80, 96).toArray()))
                .build();
        Path file = dir.resolve("multi.fai");
        Engine.getInstance().setRandomSeed(12);
        try (DataLoaders dls = block.dataLoaders(items, DataLoaderOptions.defaults(8).withWorkers(0));
                NDManager m = NDManager.newBaseManager();
                Learner learn = Learner.builder(dls, ExportFixtures.mlp(m, 2, 8, 2)).progress(false).build()) {
            learn.setModelSpec(new ModelSpec("test_mlp", Map.of("in", 2, "hidden", 8, "out", 2)));
            learn.fit(4, 1e-2);
            ModelExport.export(learn, file, REGISTRY);
            try (InferenceModel model = InferenceModel.load(file, REGISTRY)) {
                assertEquals("multi_label_classification", model.manifest().task());
                assertEquals(new Manifest.Component("multi_category", Map.of("vocab", List.of("east", "north"))),
                        model.manifest().target());
                assertEquals("bce_with_logits_flat", model.manifest().loss().name());
                for (float[] x : probes()) {
                    Prediction want = learn.predict(x);
                    Prediction got = model.predict(x);
                    assertEquals(want.label(), got.label(), Arrays.toString(x));
                    assertArrayEquals(want.probs(), got.probs(), 0f);
                }
                assertEquals(List.of("east", "north"), model.predict(new float[] {6f, 6f}).label());
                assertEquals(List.of(), model.predict(new float[] {-6f, -6f}).label());
            }
        }
    }

    @Test
    void lossParametersSurvive(@TempDir Path dir) {
        Path file = dir.resolve("smooth.fai");
        try (ExportFixtures.Rig rig = ExportFixtures.rig(false, null,
                b -> b.lossFunction(Losses.labelSmoothingCrossEntropy(0.1f)), 1)) {
            ModelExport.export(rig.learn, file, REGISTRY);
            try (InferenceModel model = InferenceModel.load(file, REGISTRY)) {
                assertEquals("cross_entropy_flat", model.manifest().loss().name());
                assertEquals((double) 0.1f, model.manifest().loss().params().get("eps"));
                float[] x = {0.3f, 0.2f};
                assertArrayEquals(rig.learn.predict(x).probs(), model.predict(x).probs(), 0f);
            }
        }
    }

    @Test
    void transformWithoutDescriberFailsBeforeWritingAnything(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub").resolve("never.fai");
        try (ExportFixtures.Rig rig = ExportFixtures.rig(false, new ExportFixtures.MyCrop(), b -> { }, 0)) {
            ExportException e = assertThrows(ExportException.class, () -> ModelExport.export(rig.learn, file, REGISTRY));
            assertTrue(e.getMessage().startsWith("cannot export: item transform MyCrop"), e.getMessage());
            assertTrue(e.getMessage().contains("is not describable; register it with ExportRegistry"), e.getMessage());
            assertFalse(Files.exists(file.getParent()), "nothing written, not even the folder");
            try (Stream<Path> s = Files.list(dir)) {
                assertEquals(0, s.count());
            }
        }
    }

    @Test
    void unregisteredPiecesAreNamed(@TempDir Path dir) {
        Path file = dir.resolve("x.fai");
        try (ExportFixtures.Rig rig = ExportFixtures.rig(false, null, b -> { }, 0)) {
            // the global registry does not know the test-only block
            ExportException e = assertThrows(ExportException.class,
                    () -> ModelExport.export(rig.learn, file, ExportRegistry.withDefaults()));
            assertTrue(e.getMessage().contains("input block") && e.getMessage().contains("Vec")
                    && e.getMessage().contains("not describable"), e.getMessage());

            rig.learn.setModelSpec(null);
            e = assertThrows(ExportException.class, () -> ModelExport.export(rig.learn, file, REGISTRY));
            assertTrue(e.getMessage().contains("does not say how to rebuild its model")
                    && e.getMessage().contains("setModelSpec"), e.getMessage());

            rig.learn.setModelSpec(new ModelSpec("test_mlp", Map.of("in", 2, "hidden", 9, "out", 2)));
            e = assertThrows(ExportException.class, () -> ModelExport.export(rig.learn, file, REGISTRY));
            assertTrue(e.getMessage().contains("does not rebuild the learner's model"), e.getMessage());

            rig.learn.setModelSpec(new ModelSpec("test_mlp", Map.of("in", 2, "hidden", 8, "out", 3)));
            e = assertThrows(ExportException.class, () -> ModelExport.export(rig.learn, file, REGISTRY));
            assertTrue(e.getMessage().contains("needs 2 model outputs"), e.getMessage());

            rig.learn.setModelSpec(new ModelSpec("nope", Map.of("in", 2, "hidden", 8, "out", 2)));
            e = assertThrows(ExportException.class, () -> ModelExport.export(rig.learn, file, REGISTRY));
            assertTrue(e.getMessage().contains("model factory 'nope' is not registered"), e.getMessage());

            rig.learn.setModelSpec(new ModelSpec("test_mlp", Map.of("in", 2, "hidden", 8, "out", 2)));
            rig.learn.provenance().put("odd", new Object());
            e = assertThrows(ExportException.class, () -> ModelExport.export(rig.learn, file, REGISTRY));
            assertTrue(e.getMessage().contains("provenance.odd"), e.getMessage());
            assertFalse(Files.exists(file));
        }
    }

    @Test
    void describerThatLosesStateIsRefused(@TempDir Path dir) {
        ExportRegistry r = ExportFixtures.registry();
        ExportRegistry lossy = ExportRegistry.withDefaults();
        lossy.registerBlock("test_vector", ExportFixtures.Vec.class, (b, p) -> Map.of("dim", b.dim),
                p -> new ExportFixtures.Vec(Params.getInt(p, "dim")));
        // forgets the factor: the rebuilt transform describes itself differently
        lossy.registerBatchTransform("test_scale", ExportFixtures.Scale.class, t -> Map.of("factor", (double) t.factor),
                p -> new ExportFixtures.Scale(1f));
        lossy.registerItemTransform("test_jitter", ExportFixtures.Jitter.class, t -> Map.of("sigma", t.sigma),
                p -> new ExportFixtures.Jitter(Params.getDouble(p, "sigma")));
        try (ExportFixtures.Rig rig = ExportFixtures.rig(false, null, b -> { }, 0)) {
            ExportException e = assertThrows(ExportException.class,
                    () -> ModelExport.export(rig.learn, dir.resolve("y.fai"), lossy));
            assertTrue(e.getMessage().contains("batch transform") && e.getMessage().contains("round trip"), e.getMessage());
            // the right registry exports it
            ModelExport.export(rig.learn, dir.resolve("y.fai"), r);
        }
    }

    @Test
    void registryRefusesConflicts() {
        ExportRegistry r = ExportFixtures.registry();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> r.registerItemTransform("test_jitter", ExportFixtures.MyCrop.class, t -> Map.of(),
                        p -> new ExportFixtures.MyCrop()));
        assertTrue(e.getMessage().contains("already taken"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> r.registerItemTransform("other", ExportFixtures.Jitter.class, t -> Map.of(),
                        p -> new ExportFixtures.Jitter(0)));
        assertTrue(e.getMessage().contains("already registered"), e.getMessage());
        assertTrue(r.lossIds().containsAll(List.of("cross_entropy_flat", "bce_with_logits_flat", "mse_flat")));
        assertTrue(r.blockIds().containsAll(List.of("category", "regression", "test_vector")));
    }
}
