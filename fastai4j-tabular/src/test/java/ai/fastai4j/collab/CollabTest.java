package ai.fastai4j.collab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.fastai4j.data.DataException;
import ai.fastai4j.learner.Prediction;
import ai.fastai4j.metrics.Metrics;
import ai.fastai4j.tabular.Table;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CollabTest {
    static final int USERS = 60;
    static final int ITEMS = 40;

    /** True item biases: item i has bias (i - 20) / 20, so item 39 is the best and item 0 the worst. */
    static double itemBias(int i) {
        return (i - 20) / 20.0;
    }

    /**
     * A rank-2 rating matrix plus user and item biases and a little noise, about half of it observed; ratings
     * clipped to [0.5, 5].
     */
    static Table lowRank(long seed) {
        Random r = new Random(seed);
        double[][] u = new double[USERS][2];
        double[][] v = new double[ITEMS][2];
        double[] bu = new double[USERS];
        for (int i = 0; i < USERS; i++) {
            u[i][0] = r.nextGaussian();
            u[i][1] = r.nextGaussian();
            bu[i] = 0.3 * r.nextGaussian();
        }
        for (int j = 0; j < ITEMS; j++) {
            v[j][0] = 0.6 * r.nextGaussian();
            v[j][1] = 0.6 * r.nextGaussian();
        }
        List<Map<String, String>> rows = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            for (int j = 0; j < ITEMS; j++) {
                if (r.nextDouble() < 0.5) {
                    double y = 3 + u[i][0] * v[j][0] + u[i][1] * v[j][1] + bu[i] + itemBias(j) + 0.1 * r.nextGaussian();
                    Map<String, String> row = new LinkedHashMap<>();
                    row.put("user", "u" + i);
                    row.put("item", Integer.toString(j));
                    row.put("rating", String.format(Locale.ROOT, "%.3f", Math.max(0.5, Math.min(5, y))));
                    rows.add(row);
                }
            }
        }
        return Table.fromRows("ratings.csv", rows);
    }

    @Test
    void dataLoadersCategorifyUsersAndItems() {
        try (CollabDataLoaders dls = CollabDataLoaders.fromTable(lowRank(1)).build()) {
            assertEquals("user", dls.userName());
            assertEquals("item", dls.itemName());
            assertEquals("rating", dls.ratingName());
            assertEquals("#na#", dls.users().get(0));
            assertEquals(List.of("#na#", "0", "1", "2"), dls.items().subList(0, 4), "ids sorted as numbers");
            assertEquals("10", dls.items().get(11));
            assertEquals(1, dls.dls().c());
            assertTrue(dls.isKnownUser("u5"));
            assertFalse(dls.isKnownUser("nobody"));
        }
    }

    @Test
    void dotBiasLearnsALowRankMatrixAndRecommendsUnratedItems() {
        Engine.getInstance().setRandomSeed(7);
        try (CollabDataLoaders dls = CollabDataLoaders.fromTable(lowRank(2)).batchSize(32).build();
                CollabLearner learn = CollabLearners.create(dls, 10, new double[] {0, 5.5}, false,
                        b -> b.wd(0.01).progress(false), Metrics.rmse())) {
            learn.fitOneCycle(12, 3e-2);
            List<List<Double>> v = learn.recorder().values();
            double rmse = v.get(v.size() - 1).get(2);
            // ratings have a standard deviation above 1; the noise is 0.1
            assertTrue(rmse < 0.3, "valid rmse " + rmse + " per epoch " + v);

            // biases: the best and the worst items by construction come out at the ends
            List<CollabLearner.Scored> biases = learn.itemBiases(1);
            List<String> top = biases.subList(0, 5).stream().map(CollabLearner.Scored::key).toList();
            List<String> bottom = biases.subList(biases.size() - 5, biases.size()).stream()
                    .map(CollabLearner.Scored::key).toList();
            assertTrue(top.contains("39") || top.contains("38"), "top by bias " + top);
            assertTrue(bottom.contains("0") || bottom.contains("1"), "bottom by bias " + bottom);
            float[] b = learn.bias(List.of("39", "0"), true);
            assertTrue(b[0] > b[1]);
            assertEquals(10, learn.weight(List.of("3"), true)[0].length);

            // recommendations skip rated items and come in order
            Set<String> rated = dls.ratedBy("u3");
            List<CollabLearner.Scored> recs = learn.recommend("u3", 5);
            assertEquals(5, recs.size());
            for (int i = 0; i < recs.size(); i++) {
                assertFalse(rated.contains(recs.get(i).key()), recs.get(i) + " was rated");
                if (i > 0) {
                    assertTrue(recs.get(i).score() <= recs.get(i - 1).score());
                }
            }
            List<CollabLearner.Scored> all = learn.recommend("u3", 1000);
            Set<String> unrated = new HashSet<>(dls.items().subList(1, dls.items().size()));
            unrated.removeAll(rated);
            assertEquals(unrated, new HashSet<>(all.stream().map(CollabLearner.Scored::key).toList()));

            // predict on a map; an unknown user is #na# there, and an explicit error in the interpretation
            Prediction p = learn.predict(Map.of("user", "u3", "item", recs.get(0).key()));
            assertEquals(recs.get(0).score(), ((Float) p.label()).doubleValue(), 1e-4);
            Object unknown = learn.predict(Map.of("user", "stranger", "item", "3")).label();
            assertTrue(unknown instanceof Float);
            DataException e = assertThrows(DataException.class, () -> learn.recommend("stranger", 3));
            assertTrue(e.getMessage().contains("user 'stranger' is not in the training data"), e.getMessage());
            assertThrows(DataException.class, () -> learn.bias(List.of("999"), true));

            List<List<CollabLearner.Scored>> pcs = learn.itemFactorComponents(2, 1);
            assertEquals(2, pcs.size());
            assertEquals(ITEMS, pcs.get(0).size());

            // the model rebuilt from the learner's model spec, with the same weights, predicts the same
            try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
                assertEquals(CollabExport.DOT_BIAS, learn.modelSpec().name());
                Map<String, Object> params = learn.modelSpec().params();
                assertEquals(Map.of("n_factors", 10, "n_users", USERS + 1, "n_items", ITEMS + 1, "y_range",
                        List.of(0.0, 5.5)), params);
                EmbeddingDotBias copy = EmbeddingDotBias.fromParams(m, params);
                copy.loadStateDict(learn.model().stateDict(), true);
                var x = m.create(new long[] {3, 5, 10, 1}, new ai.djl.ndarray.types.Shape(2, 2));
                assertArrayEquals(learn.model().forward(x).toFloatArray(), copy.forward(x).toFloatArray(), 1e-6f);
            }
        }
    }

    @Test
    void embeddingNnTrains() {
        Engine.getInstance().setRandomSeed(8);
        try (CollabDataLoaders dls = CollabDataLoaders.fromTable(lowRank(3)).batchSize(32).build();
                CollabLearner learn = CollabLearners.create(dls, 16, new double[] {0, 5.5}, true,
                        b -> b.progress(false), Metrics.rmse())) {
            assertTrue(learn.model() instanceof EmbeddingNN);
            // users: 60 + #na# -> round(1.6 * 61^0.56) = 16; items: 40 + #na# -> round(1.6 * 41^0.56) = 13
            assertEquals(61 * 16 + 41 * 13 + 29 * 16 + 2 * 16 + 16 + 1,
                    learn.model().parameterCount(), "embeddings, Linear(29 -> 16), BN(16), Linear(16 -> 1)");
            learn.fitOneCycle(6, 1e-2);
            List<List<Double>> v = learn.recorder().values();
            assertTrue(v.get(v.size() - 1).get(1) < v.get(0).get(1), "valid loss decreases " + v);
            assertEquals(5, learn.recommend("u1", 5).size());
        }
    }

    @Test
    void pcaFindsTheMainDirection() {
        Random r = new Random(4);
        float[][] x = new float[500][3];
        for (float[] row : x) {
            double t = 2 * r.nextGaussian();
            row[0] = (float) (-0.6 * t + 0.05 * r.nextGaussian() + 1);
            row[1] = (float) (0.8 * t + 0.05 * r.nextGaussian() - 2);
            row[2] = (float) (0.3 * r.nextGaussian());
        }
        Pca p = Pca.fit(x, 2);
        assertArrayEquals(new double[] {-0.6, 0.8, 0}, p.components()[0], 0.02);
        assertEquals(4, p.variances()[0], 0.6, "variance of t");
        assertEquals(0.09, p.variances()[1], 0.03, "then the third axis");
        assertEquals(1, Math.abs(p.components()[1][2]), 0.02);
        double dot = 0;
        for (int j = 0; j < 3; j++) {
            dot += p.components()[0][j] * p.components()[1][j];
        }
        assertEquals(0, dot, 1e-9, "orthogonal");
    }
}
