package ai.fastai4j.tabular;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.data.DataException;
import ai.fastai4j.learner.Prediction;
import ai.fastai4j.metrics.Metrics;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TabularLearnerTest {

    private static TabularDataLoaders classification(int n, long seed) {
        return TabularDataLoaders.fromTable(Synthetic.classification(n, seed)).catNames("color", "size")
                .contNames("x1", "x2").yNames("label").batchSize(32).build();
    }

    private static Map<String, String> row(String color, String size, String x1, String x2) {
        Map<String, String> r = new LinkedHashMap<>();
        r.put("color", color);
        r.put("size", size);
        r.put("x1", x1);
        r.put("x2", x2);
        return r;
    }

    @Test
    void modelShapeAndParameterCountMatchAHandCount() {
        try (NDManager m = NDManager.newBaseManager()) {
            List<int[]> emb = List.of(new int[] {4, 3}, new int[] {3, 2});
            TabularModel model = new TabularModel(m, emb, 2, 2, List.of(200, 100), TabularConfig.defaults());
            // embeddings 4*3 + 3*2 = 18; bn_cont 2*2 = 4; Linear(5+2 -> 200, no bias) = 1400; BN(200) = 400;
            // Linear(200 -> 100, no bias) = 20000; BN(100) = 200; Linear(100 -> 2) = 202
            assertEquals(18 + 4 + 1400 + 400 + 20000 + 200 + 202, model.parameterCount());
            assertTrue(model.namedParameters().containsKey("embeds.1.weight"));
            assertTrue(model.namedParameters().containsKey("bn_cont.running_mean"));
            assertTrue(model.namedParameters().containsKey("layers.0.0.weight"));
            assertTrue(model.namedParameters().containsKey("layers.1.2.bias"), "Linear, ReLU, BatchNorm");
            assertTrue(model.namedParameters().containsKey("layers.2.0.bias"), "output layer has a bias");
            assertFalse(model.namedParameters().containsKey("layers.0.0.bias"), "no bias before a BatchNorm");
            NDArray cats = m.create(new long[] {0, 1, 3, 2, 1, 0, 2, 2, 0, 1, 3, 0}, new Shape(6, 2));
            NDArray conts = m.randomNormal(new Shape(6, 2));
            model.eval();
            NDArray out = model.forward(new NDList(cats, conts));
            assertEquals(new Shape(6, 2), out.getShape());

            TabularModel ranged = new TabularModel(m, emb, 2, 1, List.of(8),
                    TabularConfig.defaults().withYRange(-1, 3).withPs(0.1).withEmbedP(0.05));
            ranged.eval();
            float[] y = ranged.forward(new NDList(cats, conts.mul(100))).toFloatArray();
            for (float v : y) {
                assertTrue(v >= -1 && v <= 3, "sigmoid range: " + v);
            }
            // Linear(7 -> 8) + BN(8) + Dropout, Linear(8 -> 1), SigmoidRange
            assertEquals(18 + 4 + 56 + 16 + 9, ranged.parameterCount());
        }
    }

    @Test
    void learnsASyntheticTableAndPredictsRows() {
        Engine.getInstance().setRandomSeed(1);
        try (TabularDataLoaders dls = classification(600, 11);
                TabularLearner learn = TabularLearners.create(dls, List.of(32, 16), TabularConfig.defaults(), Map.of(),
                        b -> b.progress(false), Metrics.accuracy())) {
            learn.fitOneCycle(5, 1e-2);
            List<List<Double>> v = learn.recorder().values();
            List<Double> valid = v.stream().map(r -> r.get(1)).toList();
            double acc = v.get(v.size() - 1).get(2);
            assertTrue(valid.get(valid.size() - 1) < valid.get(0), "valid loss decreases: " + valid);
            assertTrue(acc > 0.85, "accuracy well above chance (0.5): " + acc);

            TabularPrediction p = learn.predictRow(row("red", "M", "1.0", "3.0"));
            assertEquals("yes", p.label(), "score 1.5 + 1.5 + 1.5 > 0");
            assertEquals(2, p.probs().length);
            assertEquals("red", p.row().get("color"));
            assertEquals("False", p.row().get("x1_na"));
            assertEquals(1.0, Double.parseDouble(p.row().get("x1")), 1e-4);
            // unseen category and a missing value: #na# and the median, no error
            TabularPrediction q = learn.predictRow(row("purple", "XL", "", "5"));
            assertEquals("#na#", q.row().get("color"));
            assertEquals("#na#", q.row().get("size"));
            assertEquals("True", q.row().get("x1_na"));
            assertTrue(List.of("yes", "no").contains(q.label()));
            // the plain Learner API takes the same map
            Prediction plain = learn.predict(row("blue", "S", "-1", "8"));
            assertEquals("no", plain.label());
            DataException e = assertThrows(DataException.class, () -> learn.predictRow(Map.of("color", "red")));
            assertTrue(e.getMessage().contains("no column 'size'"), e.getMessage());
        }
    }

    @Test
    void regressionWithYRangeLearns() {
        Engine.getInstance().setRandomSeed(2);
        Table t = Synthetic.classification(400, 12).dropColumns("label");
        try (TabularDataLoaders dls = TabularDataLoaders.fromTable(t).catNames("color", "size").contNames("x1", "x2")
                .yNames("y").batchSize(32).build();
                TabularLearner learn = TabularLearners.create(dls, List.of(32, 16),
                        TabularConfig.defaults().withYRange(-8, 8), Map.of(), b -> b.progress(false),
                        Metrics.rmse())) {
            learn.fitOneCycle(6, 1e-2);
            List<List<Double>> v = learn.recorder().values();
            List<Double> valid = v.stream().map(r -> r.get(1)).toList();
            double rmse = v.get(v.size() - 1).get(2);
            // the target's standard deviation is about 2.2: a model that learned nothing has an RMSE near that
            assertTrue(rmse < 1.0, "rmse " + rmse + ", valid losses " + valid);
            Object pred = learn.predictRow(row("red", "M", "1.0", "3.0")).label();
            assertTrue(pred instanceof Float f && Math.abs(f - 4.5) < 1.5, "predicted " + pred + ", rule gives 4.5");
        }
    }

    @Test
    void savedAndReloadedLearnerPredictsTheSame(@TempDir Path dir) {
        Engine.getInstance().setRandomSeed(3);
        Map<String, String> r = row("green", "L", "0.3", "4.2");
        Path file = dir.resolve("tab.safetensors");
        try (TabularDataLoaders dls = classification(300, 13)) {
            float[] before;
            try (TabularLearner learn = TabularLearners.create(dls, List.of(16), TabularConfig.defaults(), Map.of(),
                    b -> b.progress(false))) {
                learn.fitOneCycle(2, 1e-2);
                before = learn.predictRow(r).probs();
                learn.saveTo(file, false);
            }
            try (TabularLearner other = TabularLearners.create(dls, List.of(16), TabularConfig.defaults(), Map.of(),
                    b -> b.progress(false))) {
                float[] fresh = other.predictRow(r).probs();
                assertFalse(java.util.Arrays.equals(before, fresh), "a new model predicts differently");
                other.loadFrom(file, false);
                assertArrayEquals(before, other.predictRow(r).probs(), 1e-6f);
            }
        }
    }

    @Test
    void modelRebuiltFromProvenanceComputesTheSame() {
        Engine.getInstance().setRandomSeed(4);
        try (TabularDataLoaders dls = classification(100, 16);
                TabularLearner learn = TabularLearners.create(dls, List.of(12, 6),
                        TabularConfig.defaults().withPs(0.1).withYRange(0, 1).withEmbedP(0.02), Map.of(),
                        b -> b.progress(false));
                NDManager m = NDManager.newBaseManager()) {
            assertEquals(TabularExport.MODEL_FACTORY, learn.modelSpec().name());
            Map<String, Object> params = learn.modelSpec().params();
            assertEquals(List.of(0.1), params.get("ps"));
            assertEquals(List.of(0.0, 1.0), params.get("y_range"));
            assertEquals(List.of(12, 6), params.get("layers"));
            TabularModel copy = TabularModel.fromParams(m, params);
            copy.loadStateDict(learn.model().stateDict(), true);
            learn.model().eval();
            copy.eval();
            var b = dls.dls().valid().toBatch(dls.dls().valid().oneBatch(), m);
            assertArrayEquals(learn.model().forward(b.xb()).toFloatArray(), copy.forward(b.xb()).toFloatArray(), 1e-6f);
            assertEquals(learn.model().parameterCount(), copy.parameterCount());
        }
    }

    @Test
    void embeddingSizesFollowTheRuleWithOverrides() {
        try (TabularDataLoaders dls = classification(100, 14)) {
            List<int[]> szs = TabularModel.embSzs(dls.processor(), Map.of("size", 7));
            // color: #na#, blue, green, red -> 4 -> round(1.6 * 4^0.56) = round(3.47) = 3; size: override 7;
            // x1_na: #na#, False, True -> 3 -> round(2.96) = 3
            assertArrayEquals(new int[] {4, 3}, szs.get(0));
            assertArrayEquals(new int[] {4, 7}, szs.get(1));
            assertArrayEquals(new int[] {3, 3}, szs.get(2));
        }
    }

    @Test
    void batchInputTypes() {
        try (TabularDataLoaders dls = classification(64, 15); NDManager m = NDManager.newBaseManager()) {
            var b = dls.dls().valid().toBatch(dls.dls().valid().oneBatch(), m);
            assertEquals(DataType.INT64, b.inputs().get(0).getDataType());
        }
    }
}
