package ai.fastai4j.tabular;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.fastai4j.data.DataException;
import ai.fastai4j.export.ExportException;
import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.export.Manifest;
import ai.fastai4j.export.ModelExport;
import ai.fastai4j.export.ModelFileException;
import ai.fastai4j.learner.Prediction;
import ai.fastai4j.nn.ModelSpec;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tabular learners exported to {@code .fai} files and loaded with {@link InferenceModel}. */
class TabularExportTest {

    static Map<String, String> row(String color, String size, String x1, String x2) {
        Map<String, String> r = new LinkedHashMap<>();
        r.put("color", color);
        r.put("size", size);
        r.put("x1", x1);
        r.put("x2", x2);
        return r;
    }

    /** Known rows, an unseen category, a missing value (empty and NA), both at once, and an extra column. */
    static List<Map<String, String>> probes() {
        Map<String, String> extra = row("blue", "L", "0.5", "6");
        extra.put("comment", "not a model column");
        return List.of(row("red", "M", "1.0", "3.0"), row("blue", "S", "-1", "8"), row("green", "L", "0.2", "4.9"),
                row("purple", "M", "0.4", "5.5"), row("red", "XL", "-0.3", "2"), row("green", "S", "", "5"),
                row("blue", "M", "NA", "7.5"), row("purple", "XL", "", "4"), extra);
    }

    /** The learner and the loaded model agree bit for bit on every probe, one by one and (nearly) in a batch. */
    static void assertSamePredictions(TabularLearner learn, InferenceModel model) {
        List<Map<String, String>> rows = probes();
        List<Prediction> batch = model.predictBatch(rows);
        for (int i = 0; i < rows.size(); i++) {
            TabularPrediction want = learn.predictRow(rows.get(i));
            Prediction got = model.predict(rows.get(i));
            assertEquals(want.label(), got.label(), "row " + rows.get(i));
            assertEquals(want.decision(), got.decision());
            assertArrayEquals(want.probs(), got.probs(), 0f, "exactly the learner's outputs for " + rows.get(i));
            if (!(want.label() instanceof Float)) {
                assertEquals(want.label(), batch.get(i).label());
            }
            assertArrayEquals(want.probs(), batch.get(i).probs(), 1e-6f);
        }
    }

    @Test
    void classifierRoundTrip(@TempDir Path dir) {
        Engine.getInstance().setRandomSeed(21);
        Path file = dir.resolve("classifier.fai");
        try (TabularDataLoaders dls = TabularDataLoaders.fromTable(Synthetic.classification(300, 21))
                .catNames("color", "size").contNames("x1", "x2").yNames("label").batchSize(32).build();
                TabularLearner learn = TabularLearners.create(dls, List.of(16), TabularConfig.defaults(), Map.of(),
                        b -> b.progress(false))) {
            learn.fitOneCycle(2, 1e-2);
            assertEquals(file, ModelExport.export(learn, file));
            try (InferenceModel model = InferenceModel.load(file)) {
                Manifest m = model.manifest();
                assertEquals("single_label_classification", m.task());
                assertEquals(List.of("no", "yes"), model.vocab());
                assertEquals(TabularExport.MODEL_FACTORY, m.model().name());
                assertEquals(List.of(List.of(4, 3), List.of(4, 3), List.of(3, 3)), m.model().params().get("emb_szs"));
                assertEquals(2, m.model().params().get("n_cont"));
                assertEquals(2, m.model().params().get("out_sz"));
                assertEquals(List.of(TabularExport.BLOCK), m.inputs().stream().map(Manifest.Component::name).toList());
                // the block's parameters are the procs' learned state, exactly
                Map<String, Object> state = m.inputs().get(0).params();
                assertEquals(dls.processor().state(), state);
                assertEquals(List.of("#na#", "blue", "green", "red"),
                        ((Map<?, ?>) ((Map<?, ?>) ((List<?>) state.get("procs")).get(1)).get("classes")).get("color"));
                assertEquals(new Manifest.Component(TabularExport.READ_TAB_BATCH, Map.of("n_cat", 3, "n_cont", 2)),
                        m.batchTransforms().get(0));
                assertEquals(1, m.batchTransforms().size());
                assertEquals("cross_entropy_flat", m.loss().name());

                assertSamePredictions(learn, model);
                // a table row works as well as a map
                Table.Row r = dls.table().row(7);
                assertArrayEquals(learn.predict(r).probs(), model.predict(r).probs(), 0f);
                // by the rule, a red row with x1 = 1 and x2 = 3 scores 1.5 + 1.5 + 1.5 > 0
                assertEquals("yes", model.predict(row("red", "M", "1.0", "3.0")).label());

                DataException e = assertThrows(DataException.class, () -> model.predict(Map.of("color", "red")));
                assertTrue(e.getMessage().contains("no column 'size'"), e.getMessage());
                e = assertThrows(DataException.class, () -> model.predict(row("red", "M", "one", "3")));
                assertTrue(e.getMessage().contains("column 'x1': 'one' is not a number"), e.getMessage());
                assertArrayEquals(learn.predictRow(probes().get(0)).probs(), model.predict(probes().get(0)).probs(), 0f,
                        "still usable after bad input");
            }
        }
    }

    @Test
    void regressorWithYRangeRoundTrip(@TempDir Path dir) {
        Engine.getInstance().setRandomSeed(22);
        Path file = dir.resolve("regressor.fai");
        Table t = Synthetic.classification(300, 22).dropColumns("label");
        try (TabularDataLoaders dls = TabularDataLoaders.fromTable(t).catNames("color", "size").contNames("x1", "x2")
                .yNames("y").batchSize(32).build();
                TabularLearner learn = TabularLearners.create(dls, List.of(16, 8),
                        TabularConfig.defaults().withYRange(-8, 8).withPs(0.1), Map.of(), b -> b.progress(false))) {
            learn.fitOneCycle(2, 1e-2);
            ModelExport.export(learn, file);
            try (InferenceModel model = InferenceModel.load(file)) {
                Manifest m = model.manifest();
                assertEquals("regression", m.task());
                assertEquals(List.of(), model.vocab());
                assertEquals(List.of(-8.0, 8.0), m.model().params().get("y_range"));
                assertEquals(List.of(0.1), m.model().params().get("ps"));
                assertEquals(1, m.model().params().get("out_sz"));
                assertEquals("mse_flat", m.loss().name());
                assertSamePredictions(learn, model);
                for (Map<String, String> r : probes()) {
                    float y = (Float) model.predict(r).label();
                    assertTrue(y > -8 && y < 8, "inside the y_range: " + y);
                }
            }
        }
    }

    @Test
    void datePartsAndNoNaColumnsSurviveExport(@TempDir Path dir) {
        // a date column expanded by add_datepart; at inference the row gives the date, not the parts
        List<Map<String, String>> rows = new ArrayList<>();
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < 120; i++) {
            java.time.LocalDate d = java.time.LocalDate.of(2020, 1, 1).plusDays(r.nextInt(700));
            Map<String, String> row = new LinkedHashMap<>();
            row.put("saledate", d.toString());
            row.put("shop", "s" + r.nextInt(3));
            row.put("price", Double.toString(d.getMonthValue() + r.nextGaussian()));
            rows.add(row);
        }
        Engine.getInstance().setRandomSeed(23);
        Path file = dir.resolve("dates.fai");
        try (TabularDataLoaders dls = TabularDataLoaders.fromTable(Table.fromRows("sales.csv", rows)).datePart("saledate")
                .catNames("shop", "saleYear", "saleIs_month_end").contNames("saleMonth", "saleDayofyear", "saleElapsed")
                .yNames("price").batchSize(32).build();
                TabularLearner learn = TabularLearners.create(dls, List.of(8), TabularConfig.defaults(), Map.of(),
                        b -> b.progress(false))) {
            learn.fitOneCycle(1, 1e-2);
            ModelExport.export(learn, file);
            try (InferenceModel model = InferenceModel.load(file)) {
                for (String date : List.of("2020-03-31", "2021-07-04", "2030-01-01")) {
                    Map<String, String> q = Map.of("saledate", date, "shop", "s1");
                    assertArrayEquals(learn.predict(q).probs(), model.predict(q).probs(), 0f, date);
                }
            }
        }
    }

    @Test
    void continuousColumnsWithoutProcs(@TempDir Path dir) {
        // fastai's default: no procs (x2 is never missing, there is no categorical column)
        Engine.getInstance().setRandomSeed(25);
        Path file = dir.resolve("plain.fai");
        try (TabularDataLoaders dls = TabularDataLoaders.fromTable(Synthetic.classification(100, 25)).catNames()
                .contNames("x2").yNames("label").procs().batchSize(32).build();
                TabularLearner learn = TabularLearners.create(dls, List.of(4), TabularConfig.defaults(), Map.of(),
                        b -> b.progress(false))) {
            ModelExport.export(learn, file);
            try (InferenceModel model = InferenceModel.load(file)) {
                assertEquals(List.of(), model.manifest().inputs().get(0).params().get("procs"));
                for (String x2 : List.of("1", "5", "9.5")) {
                    Map<String, String> q = Map.of("x2", x2);
                    assertArrayEquals(learn.predict(q).probs(), model.predict(q).probs(), 0f, x2);
                }
                DataException e = assertThrows(DataException.class, () -> model.predict(Map.of("x2", "")));
                assertTrue(e.getMessage().contains("missing value in a continuous column (add FillMissing to the procs)"),
                        e.getMessage());
            }
        }
    }

    // ---------------------------------------------------------------- tampering

    static ObjectNode proc(ObjectNode manifest, int i) {
        return (ObjectNode) manifest.get("inputs").get(0).get("params").get("procs").get(i);
    }

    static String refused(Path f) {
        ModelFileException e = assertThrows(ModelFileException.class, () -> InferenceModel.load(f).close());
        assertTrue(e.getMessage().startsWith("model file " + f + ": "), e.getMessage());
        return e.getMessage();
    }

    static void assertContains(String message, String part) {
        assertTrue(message.contains(part), "expected '" + part + "' in: " + message);
    }

    @Test
    void tamperedManifestsAreRefused(@TempDir Path dir) throws IOException {
        Engine.getInstance().setRandomSeed(24);
        Path good = dir.resolve("good.fai");
        try (TabularDataLoaders dls = TabularDataLoaders.fromTable(Synthetic.classification(100, 24))
                .catNames("color", "size").contNames("x1", "x2").yNames("label").batchSize(32).build();
                TabularLearner learn = TabularLearners.create(dls, List.of(8), TabularConfig.defaults(), Map.of(),
                        b -> b.progress(false))) {
            ModelExport.export(learn, good);
            // a learner whose recorded model sizes do not fit its data is refused before anything is written
            Map<String, Object> params = new LinkedHashMap<>(learn.modelSpec().params());
            params.put("n_cont", 3);
            learn.setModelSpec(new ModelSpec(learn.modelSpec().name(), params));
            Path never = dir.resolve("never.fai");
            ExportException e = assertThrows(ExportException.class, () -> ModelExport.export(learn, never));
            assertEquals("cannot export: model factory 'tabular_model' does not fit the input blocks: the input block "
                    + "has 2 continuous columns [x1, x2], the model takes 3", e.getMessage());
            assertTrue(Files.notExists(never));
        }
        try (InferenceModel model = InferenceModel.load(good)) {
            assertEquals(List.of("no", "yes"), model.vocab());
        }
        // procs: 0 FillMissing, 1 Categorify, 2 Normalize
        Path f = ManifestEdits.editManifest(good, dir.resolve("vocab.fai"), m ->
                ((ArrayNode) proc(m, 1).get("classes").get("color")).add("purple"));
        String msg = refused(f);
        assertContains(msg, "the manifest does not add up: model factory 'tabular_model' does not fit the input "
                + "blocks: column 'color' has 5 categories (#na# included), its embedding 4 rows");

        f = ManifestEdits.editManifest(good, dir.resolve("std.fai"), m -> ((ObjectNode) proc(m, 2).get("stds")).put("x2", -1.0));
        assertContains(refused(f), "the standard deviation of 'x2' must be positive, got -1.0");

        f = ManifestEdits.editManifest(good, dir.resolve("noclasses.fai"), m -> proc(m, 1).remove("classes"));
        assertContains(refused(f), "procs[1]: parameter 'classes' must be an object, got nothing");

        f = ManifestEdits.editManifest(good, dir.resolve("na.fai"), m ->
                ((ArrayNode) proc(m, 1).get("classes").get("size")).set(0, "XXL"));
        assertContains(refused(f), "vocabulary of 'size' must start with #na#");

        f = ManifestEdits.editManifest(good, dir.resolve("type.fai"), m -> proc(m, 0).put("type", "RunShell"));
        assertContains(refused(f), "unknown tabular proc 'RunShell' (known: Categorify, FillMissing, Normalize)");

        f = ManifestEdits.editManifest(good, dir.resolve("ncont.fai"), m ->
                ((ObjectNode) m.get("model").get("params")).put("n_cont", "two"));
        assertContains(refused(f), "parameter 'n_cont' must be an integer, got 'two'");

        f = ManifestEdits.editManifest(good, dir.resolve("cont.fai"), m ->
                ((ArrayNode) m.get("inputs").get(0).get("params").get("cont_names")).add("x3"));
        assertContains(refused(f), "FillMissing has no fill value for column 'x3'");
    }

}
