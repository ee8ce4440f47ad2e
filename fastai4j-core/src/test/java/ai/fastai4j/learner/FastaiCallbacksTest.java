package ai.fastai4j.learner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.fastai4j.callback.CsvLogger;
import ai.fastai4j.callback.EarlyStoppingCallback;
import ai.fastai4j.callback.GradientAccumulation;
import ai.fastai4j.callback.GradientClip;
import ai.fastai4j.callback.LiveReport;
import ai.fastai4j.callback.MixUp;
import ai.fastai4j.callback.ReduceLROnPlateau;
import ai.fastai4j.callback.SaveModelCallback;
import ai.fastai4j.data.DataLoaderOptions;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.metrics.Metric;
import ai.fastai4j.nn.Parameter;
import ai.fastai4j.schedule.Schedules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fastai's callbacks, each against a case computed by hand. */
class FastaiCallbacksTest {
    @TempDir
    Path dir;

    /** A metric whose value at epoch i is {@code values[i]}: a scripted sequence for the trackers. */
    static final class Scripted implements Metric {
        final double[] values;
        int epoch;

        Scripted(double... values) {
            this.values = values;
        }

        @Override
        public String name() {
            return "scripted_loss";
        }

        @Override
        public void reset() {}

        @Override
        public void accumulate(NDArray pred, NDArray target) {}

        @Override
        public double value() {
            return values[epoch++];
        }
    }

    private TestData.Rig rig(Metric... metrics) {
        return TestData.blobRig(TestData.blobs(60, 7, 2.0), 12, 8, 0, 3, b -> b.metrics(metrics).path(dir));
    }

    @Test
    void earlyStoppingWaitsPatienceEpochsWithoutImprovement() {
        try (TestData.Rig r = rig(new Scripted(5, 4, 4.5, 4.2, 3, 2, 1, 0))) {
            EarlyStoppingCallback es = new EarlyStoppingCallback("scripted_loss", 0, 2);
            r.learn.fit(8, 1e-3, es);
            assertEquals(3, es.stoppedAt(), "best at epoch 1, no better at 2 and 3");
            assertEquals(4, r.learn.recorder().values().size());
        }
        // min_delta: 4.8 is not better than 5 by 0.5, 4.4 is; then 4.3 and 4.2 are not better than 4.4 by 0.5
        try (TestData.Rig r = rig(new Scripted(5, 4.8, 4.4, 4.3, 4.2, 1, 1, 1))) {
            EarlyStoppingCallback es = new EarlyStoppingCallback("scripted_loss", 0.5, 2);
            r.learn.fit(8, 1e-3, es);
            assertEquals(4, es.stoppedAt());
            assertEquals(4.4, es.best());
        }
    }

    @Test
    void reduceLrOnPlateauDividesAfterPatienceDownToMinLr() {
        try (TestData.Rig r = rig(new Scripted(5, 4, 4, 4, 4, 4))) {
            r.learn.fit(6, 1e-2, new ReduceLROnPlateau("scripted_loss", 0, 2, 10, 5e-4));
            List<Double> lrs = r.learn.recorder().lrs();
            int perEpoch = r.learn.recorder().iters().get(0);
            double[] expected = {1e-2, 1e-2, 1e-2, 1e-2, 1e-3, 1e-3};
            for (int e = 0; e < 6; e++) {
                assertEquals(expected[e], lrs.get(e * perEpoch), 1e-12, "lr in epoch " + e);
            }
            assertEquals(5e-4, r.learn.opt().hyper("lr", 0), 1e-12, "after epoch 5: max(1e-4, minLr)");
        }
    }

    @Test
    void saveModelReloadsTheBestEpochAndEveryEpochSavesEach() {
        try (TestData.Rig r = rig(new Scripted(3, 1, 2, 4))) {
            List<Map<String, String>> afterEpoch = new ArrayList<>();
            Callback snap = new Callback() {
                @Override
                public int order() {
                    return 90;
                }

                @Override
                public void afterEpoch(Learner learn) {
                    afterEpoch.add(TestData.weights(learn.model()));
                }
            };
            SaveModelCallback save = SaveModelCallback.best("scripted_loss", "best", true);
            r.learn.fit(4, 1e-2, save, snap);
            assertEquals(1, save.bestEpoch());
            assertNotEquals(afterEpoch.get(1), afterEpoch.get(3), "training went on after the best epoch");
            assertEquals(afterEpoch.get(1), TestData.weights(r.model), "the best epoch's weights are back");
            assertTrue(Files.isRegularFile(dir.resolve("models/best.safetensors")));
        }
        try (TestData.Rig r = rig()) {
            r.learn.fit(3, 1e-2, new SaveModelCallback("valid_loss", 0, "ep", true, false, false));
            for (int e = 0; e < 3; e++) {
                assertTrue(Files.isRegularFile(dir.resolve("models/ep_" + e + ".safetensors")), "epoch " + e);
            }
        }
    }

    @Test
    void csvLoggerWritesTheEpochTable() {
        try (TestData.Rig r = rig(ai.fastai4j.metrics.Metrics.accuracy())) {
            CsvLogger log = new CsvLogger();
            r.learn.fit(2, 1e-2, log);
            List<List<String>> rows = log.readLog();
            assertEquals(List.of("epoch", "train_loss", "valid_loss", "accuracy", "time"), rows.get(0));
            assertEquals(3, rows.size());
            for (int e = 0; e < 2; e++) {
                List<Double> v = r.learn.recorder().values().get(e);
                assertEquals(String.valueOf(e), rows.get(e + 1).get(0));
                assertEquals(v.get(1), Double.parseDouble(rows.get(e + 1).get(2)), 1e-6, "valid_loss rounded to 6 places");
                assertEquals(v.get(2), Double.parseDouble(rows.get(e + 1).get(3)), 1e-6);
            }
        }
    }

    /** 8 training items in order (no shuffling), 4 for validation. */
    private static DataLoaders ordered(int bs) {
        List<TestData.Sample> items = TestData.blobs(12, 5, 1.0);
        return TestData.blobBlock(TestData.lastAsValid(12, 4)).dataLoaders(items,
                new DataLoaderOptions(bs, 0, 1, false, false, 2));
    }

    @Test
    void gradientAccumulationOfTwoBatchesEqualsOneStepOnBoth() {
        Map<String, String> accumulated;
        Map<String, String> concatenated;
        try (NDManager m = NDManager.newBaseManager(); DataLoaders dls = ordered(4);
                Learner learn = Learner.builder(dls, TestData.mlp(m, 9, 8, 2)).progress(false).build()) {
            List<Integer> steps = new ArrayList<>();
            learn.fit(1, 1e-1, new GradientAccumulation(8), new Callback() {
                @Override
                public void afterStep(Learner l) {
                    steps.add(l.iter());
                }
            });
            assertEquals(List.of(1), steps, "one step, after the second batch of 4");
            accumulated = TestData.weights(learn.model());
        }
        try (NDManager m = NDManager.newBaseManager(); DataLoaders dls = ordered(8);
                Learner learn = Learner.builder(dls, TestData.mlp(m, 9, 8, 2)).progress(false).build()) {
            learn.fit(1, 1e-1);
            concatenated = TestData.weights(learn.model());
        }
        assertEquals(concatenated.keySet(), accumulated.keySet());
        // the same numbers up to float rounding of the summed gradients
        try (NDManager m = NDManager.newBaseManager()) {
            for (String k : concatenated.keySet()) {
                float[] a = decode(m, accumulated.get(k));
                float[] b = decode(m, concatenated.get(k));
                assertArrayEquals(b, a, 1e-6f, k);
            }
        }
    }

    private static float[] decode(NDManager m, String snapshot) {
        byte[] bytes = java.util.Base64.getDecoder().decode(snapshot.substring(snapshot.lastIndexOf(' ') + 1));
        java.nio.FloatBuffer fb = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
        float[] out = new float[fb.remaining()];
        fb.get(out);
        return out;
    }

    /** Gradients of every trainable parameter, as Java arrays. */
    private static List<float[]> grads(Learner learn) {
        List<float[]> out = new ArrayList<>();
        for (Parameter p : learn.model().parameters()) {
            if (p.isTrainable()) {
                out.add(p.data().getGradient().toFloatArray());
            }
        }
        return out;
    }

    @Test
    void gradientClipScalesToTheMaxGlobalNormOnlyAboveIt() {
        for (double maxNorm : new double[] {1e-3, 1e6}) {
            try (TestData.Rig r = rig()) {
                List<float[]> before = new ArrayList<>();
                List<float[]> after = new ArrayList<>();
                GradientClip clip = new GradientClip(maxNorm);
                r.learn.fit(1, 1e-3, clip, new Callback() {
                    @Override
                    public int order() {
                        return 0; // before the clip (order 1)
                    }

                    @Override
                    public void beforeStep(Learner l) {
                        if (l.iter() == 0) {
                            before.addAll(grads(l));
                        }
                    }
                }, new Callback() {
                    @Override
                    public int order() {
                        return 2;
                    }

                    @Override
                    public void beforeStep(Learner l) {
                        if (l.iter() == 0) {
                            after.addAll(grads(l));
                        }
                    }
                });
                double sq = 0;
                for (float[] g : before) {
                    for (float v : g) {
                        sq += (double) v * v;
                    }
                }
                double norm = Math.sqrt(sq);
                double coef = Math.min(1, maxNorm / (norm + 1e-6));
                double sqAfter = 0;
                for (int i = 0; i < before.size(); i++) {
                    for (int j = 0; j < before.get(i).length; j++) {
                        assertEquals(before.get(i)[j] * coef, after.get(i)[j], 1e-7 + 1e-5 * Math.abs(before.get(i)[j]));
                        sqAfter += (double) after.get(i)[j] * after.get(i)[j];
                    }
                }
                assertTrue(Math.sqrt(sqAfter) <= Math.min(norm, maxNorm) * (1 + 1e-5), "global norm bounded");
                if (maxNorm < 1) {
                    assertTrue(norm > maxNorm, "this case clips");
                }
            }
        }
    }

    @Test
    void mixUpMixesInputsAndTargetsWithTheSameLambda() {
        List<TestData.Point> pts = new ArrayList<>();
        java.util.Random rnd = new java.util.Random(4);
        for (int i = 0; i < 40; i++) {
            float a = (float) rnd.nextGaussian();
            float b = (float) rnd.nextGaussian();
            pts.add(new TestData.Point(new float[] {a, b}, 2 * a - 3 * b + 1)); // exact: mixing keeps it true
        }
        try (NDManager m = NDManager.newBaseManager(); DataLoaders dls = TestData.pointLoaders(pts, 8, 8, 0);
                Learner learn = Learner.builder(dls, TestData.mlp(m, 1, 8, 1)).progress(false).build()) {
            int[] checked = new int[2];
            MixUp mix = new MixUp(0.4);
            learn.fit(1, 1e-3, mix, new Callback() {
                @Override
                public int order() {
                    return 5;
                }

                @Override
                public void beforeBatch(Learner l) {
                    if (!l.isTraining()) {
                        assertTrue(mix.lam() == null, "validation batches are not mixed");
                        return;
                    }
                    float[] x = l.xb().get(0).toFloatArray();
                    float[] y = l.yb().get(0).toFloatArray();
                    float[] lam = mix.lam().toFloatArray();
                    for (int i = 0; i < y.length; i++) {
                        assertEquals(2 * x[2 * i] - 3 * x[2 * i + 1] + 1, y[i], 1e-4, "item " + i);
                        assertTrue(lam[i] >= 0.5f && lam[i] <= 1f);
                        if (lam[i] < 0.99f) {
                            checked[0]++;
                        }
                    }
                    checked[1]++;
                }
            });
            assertEquals(4, checked[1], "4 training batches");
            assertTrue(checked[0] > 10, "most items really mixed: " + checked[0]);
        }
    }

    @Test
    void fitSgdrRestartsTheCosineEachCycle() {
        try (TestData.Rig r = rig()) {
            r.learn.fitSgdr(2, 1, 1e-2, 2);
            int perEpoch = r.learn.recorder().iters().get(0);
            List<Double> lrs = r.learn.recorder().lrs();
            assertEquals(3 * perEpoch, lrs.size(), "1 + 2 epochs");
            var s = Schedules.sgdr(1e-2, 2, 1, 2);
            for (int i = 0; i < lrs.size(); i++) {
                assertEquals(s.at((double) i / lrs.size()), lrs.get(i), 1e-9);
            }
            assertEquals(1e-2, lrs.get(0), 1e-12);
            assertEquals(1e-2, lrs.get(perEpoch), 1e-12, "restart at the second cycle");
        }
    }

    @Test
    void liveReportRefreshesWhileTrainingAndNotAfter() throws Exception {
        try (TestData.Rig r = rig()) {
            List<Boolean> refreshing = new ArrayList<>();
            LiveReport live = new LiveReport(dir.resolve("live"), 5);
            r.learn.fit(2, 1e-2, live, new Callback() {
                @Override
                public int order() {
                    return 76;
                }

                @Override
                public void afterEpoch(Learner l) {
                    refreshing.add(read(live.page()).contains("http-equiv=\"refresh\" content=\"5\""));
                }
            });
            assertEquals(List.of(true, true), refreshing);
            String last = read(live.page());
            assertFalse(last.contains("http-equiv"));
            assertTrue(last.contains("valid_loss"), last);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
