package ai.fastai4j.tabular;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.fastai4j.collab.CollabEncoder;
import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.interpret.TrainingReport;
import ai.fastai4j.learner.Preds;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TabularInterpretation} on a small regression (y from color, x1 and x2; size is noise): predictions against
 * the learner's, permutation importance against numpy and scikit-learn, partial dependence against predictions of
 * edited rows, the additivity of the Shapley-sampling explanation, the report against the API, unseen categories.
 */
class TabularInterpretationTest {
    @TempDir
    static Path dir;
    static TabularDataLoaders dls;
    static TabularLearner learn;
    static TabularInterpretation interp;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void train() {
        Engine.getInstance().setRandomSeed(3);
        Table t = Synthetic.classification(300, 11).dropColumns("label");
        dls = TabularDataLoaders.fromTable(t).catNames("color", "size").contNames("x1", "x2").yNames("y")
                .validPct(0.2).seed(1).batchSize(32).build();
        learn = TabularLearners.create(dls, List.of(32), TabularConfig.defaults(), Map.of(), b -> b.progress(false));
        learn.fitOneCycle(5, 1e-2);
        interp = TabularInterpretation.fromLearner(learn);
    }

    @AfterAll
    static void close() {
        learn.close();
        dls.close();
    }

    /** The learner's validation predictions and targets, in validation order. */
    static double[][] learnerPreds() {
        try (Preds p = learn.getPreds()) {
            float[] probs = p.probs().toFloatArray();
            float[] y = p.targets().toFloatArray();
            double[][] out = new double[2][probs.length];
            for (int i = 0; i < probs.length; i++) {
                out[0][i] = probs[i];
                out[1][i] = y[i];
            }
            return out;
        }
    }

    @Test
    void baselineIsTheLearnersValidationRmse() {
        double[][] p = learnerPreds();
        double s = 0;
        for (int i = 0; i < p[0].length; i++) {
            s += (p[0][i] - p[1][i]) * (p[0][i] - p[1][i]);
        }
        assertEquals(60, interp.size());
        assertEquals(Math.sqrt(s / p[0].length), interp.baselineScore(), 1e-5);
        assertEquals(List.of("color", "size", "x1", "x2"), interp.columns());
        // x1 has missing values: its _na indicator moves with it
        assertEquals(2, interp.groups().get("x1").length);
    }

    @Test
    void permutationImportanceMatchesNumpyAndScikitLearn() throws Exception {
        int repeats = 30;
        List<TabularInterpretation.FeatureImportance> imp = interp.permutationImportance(repeats, 7);
        float[][] x = interp.encodedRows();
        int n = x.length;
        List<String> cols = interp.columns();
        // the model's output for row i with column j's value (and _na flag) taken from row k
        double[][][] grid = new double[cols.size()][n][n];
        for (int j = 0; j < cols.size(); j++) {
            int[] pos = interp.groups().get(cols.get(j));
            float[][] rows = new float[n * n][];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < n; k++) {
                    float[] v = x[i].clone();
                    for (int p : pos) {
                        v[p] = x[k][p];
                    }
                    rows[i * n + k] = v;
                }
            }
            float[][] o = interp.outputs(rows);
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < n; k++) {
                    grid[j][i][k] = o[i * n + k][0];
                }
            }
        }
        Random r = new Random(7);
        int[][] perms = new int[repeats][];
        for (int k = 0; k < repeats; k++) {
            perms[k] = TabularInterpretation.permutation(n, r);
        }
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("grid", grid);
        in.put("base", learnerPreds()[0]);
        in.put("y", learnerPreds()[1]);
        in.put("perms", perms);
        in.put("sklearn_repeats", repeats);
        JsonNode ref = python("permutation_importance_reference.py", JSON.writeValueAsBytes(in));
        for (TabularInterpretation.FeatureImportance f : imp) {
            int j = cols.indexOf(f.column());
            double[] exact = JSON.convertValue(ref.get("exact").get(j), double[].class);
            assertArrayEquals(exact, f.repeats(), 2e-5, f.column());
            double skMean = ref.get("sklearn_mean").get(j).asDouble();
            double skStd = ref.get("sklearn_std").get(j).asDouble();
            double se = Math.sqrt((f.std() * f.std() + skStd * skStd) / repeats);
            assertTrue(Math.abs(f.importance() - skMean) <= 4 * se + 1e-4, String.format(Locale.ROOT,
                    "%s: fastai4j %.5f +- %.5f, scikit-learn %.5f +- %.5f", f.column(), f.importance(), f.std(),
                    skMean, skStd));
        }
        // y depends on x1, x2 and color, not on size
        assertEquals("size", imp.get(imp.size() - 1).column());
        assertTrue(imp.get(0).importance() > 10 * Math.abs(imp.get(imp.size() - 1).importance()), imp.toString());
    }

    @Test
    void partialDependenceIsTheMeanPredictionOfEditedRows() {
        int[] valid = learn.dls().datasets().split().valid();
        Table rows = dls.table().select(valid);
        for (String col : List.of("color", "x1", "x2")) {
            TabularInterpretation.PartialDependence pd = interp.partialDependence(col, 5);
            assertEquals(col.equals("color") ? List.of("blue", "green", "red") : pd.labels(), pd.labels());
            assertEquals(col.equals("color") ? 3 : 5, pd.labels().size(), col);
            for (int g = 0; g < pd.labels().size(); g++) {
                String v = pd.categorical() ? pd.labels().get(g) : Double.toString(pd.xs()[g]);
                String[] cells = new String[rows.nRows()];
                Arrays.fill(cells, v);
                Table edited = rows.withColumn(col, cells);
                double mean = 0;
                try (Preds p = learn.getPreds(dls.testDl(edited.rows()))) {
                    for (float f : p.probs().toFloatArray()) {
                        mean += f;
                    }
                }
                assertEquals(mean / rows.nRows(), pd.mean()[g], 1e-4, col + " = " + v);
            }
        }
        // the grid of a continuous column: numpy's quantiles 0, 0.25, ..., 1 of its validation values
        double[] x2 = Arrays.stream(rows.column("x2")).mapToDouble(Double::parseDouble).sorted().toArray();
        TabularInterpretation.PartialDependence pd = interp.partialDependence("x2", 5);
        assertEquals(x2[0], pd.xs()[0], 1e-3);
        assertEquals(x2[x2.length - 1], pd.xs()[4], 1e-3);
        assertEquals((x2[29] + x2[30]) / 2, pd.xs()[2], 1e-3); // the median of 60 values
    }

    @Test
    void explanationAddsUpToThePredictionMinusTheBaseline() {
        TabularInterpretation.Explanation e = interp.explain(4, 40, 5);
        double sum = e.contributions().values().stream().mapToDouble(Double::doubleValue).sum();
        assertEquals(e.prediction() - e.baseline(), sum, 1e-4);
        assertEquals(learnerPreds()[0][4], e.prediction(), 1e-5);
        assertEquals(4, e.contributions().size());
        assertEquals(e, interp.explain(4, 40, 5)); // seeded
        // a row given as a map explains the same as the validation row it copies
        Map<String, String> raw = dls.table().row(learn.dls().datasets().split().valid()[4]).toMap();
        raw.remove("y");
        assertEquals(e.contributions(), interp.explain(raw, 40, 5).contributions());
    }

    @Test
    void reportShowsTheApisNumbers() throws Exception {
        Path out = dir.resolve("report");
        Path page = TrainingReport.builder(learn).section(interp.reportSection(out, 10, 2)).build().write(out);
        String html = Files.readString(page);
        for (TabularInterpretation.FeatureImportance f : interp.permutationImportance(5, 42)) {
            String row = String.format(Locale.ROOT, "<td>%s</td><td class=\"n\">%.5f</td><td class=\"n\">%.5f</td>",
                    f.column(), f.importance(), f.std());
            assertTrue(html.contains(row), "report lacks " + row);
        }
        TabularInterpretation.Explanation e = interp.explain(0, 100, 42);
        String first = e.contributions().keySet().iterator().next();
        String value = e.row().get(first);
        String cell = value.matches("-?[0-9.]+") ? "<td class=\"n\">" : "<td>";
        assertTrue(html.contains(String.format(Locale.ROOT, "<td>%s</td>%s%s</td><td class=\"n\">%.5f</td>", first,
                cell, value, e.contributions().get(first))), html);
        for (String png : List.of("importance.png", "pdp_1.png", "pdp_2.png", "explanation.png")) {
            assertTrue(Files.size(out.resolve(png)) > 1000, png);
            assertTrue(html.contains("src=\"" + png + "\""), png);
        }
    }

    @Test
    void unseenCategoriesAreCountedPerColumn() {
        Path file = ai.fastai4j.export.ModelExport.export(learn, dir.resolve("interp.fai"));
        List<Map<String, String>> rows = new ArrayList<>();
        rows.add(row("purple", "S", "1", "5"));
        rows.add(row("red", "XL", "", "5"));   // a missing x1 is not unseen
        rows.add(row("purple", "XXL", "0", "4"));
        rows.add(row(null, "M", "0", "4"));    // nor is a missing category
        try (InferenceModel m = InferenceModel.load(file)) {
            assertEquals(Map.of("color", 2, "size", 2), m.unseenCategories(rows));
            assertEquals(List.of("color", "size"), new ArrayList<>(m.unseenCategories(rows).keySet()));
            assertEquals(Map.of(), m.unseenCategories(rows.subList(3, 4)));
            // and the model reads an unseen category as #na#, exactly like a missing one
            assertEquals(m.predict(row(null, "S", "1", "5")).probs()[0], m.predict(rows.get(0)).probs()[0], 0f);
        }
        CollabEncoder enc = CollabEncoder.withVocabs("user", "item", List.of("#na#", "u1"), List.of("#na#", "i1"));
        assertEquals(List.of("user"), enc.unseenColumns(Map.of("user", "u9", "item", "i1")));
        assertEquals(List.of("user", "item"), enc.unseenColumns(Map.of("user", "u9", "item", "i9")));
        assertEquals(List.of(), enc.unseenColumns(Map.of("user", "u1", "item", "i1")));
    }

    static Map<String, String> row(String color, String size, String x1, String x2) {
        Map<String, String> r = new LinkedHashMap<>();
        r.put("color", color);
        r.put("size", size);
        r.put("x1", x1);
        r.put("x2", x2);
        return r;
    }

    /** Runs a reference script of this package's test resources with Debian's python3 and reads its JSON answer. */
    static JsonNode python(String script, byte[] stdin) throws Exception {
        Path f = dir.resolve(script);
        try (InputStream in = TabularInterpretationTest.class.getResourceAsStream(script)) {
            Files.write(f, in.readAllBytes());
        }
        Process p = new ProcessBuilder("/usr/bin/python3", f.toString()).redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        p.getOutputStream().write(stdin);
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), script + " timed out");
        assertEquals(0, p.exitValue(), script + " failed: " + new String(out, StandardCharsets.UTF_8));
        return JSON.readTree(out);
    }
}
