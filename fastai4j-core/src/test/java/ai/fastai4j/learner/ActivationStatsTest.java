package ai.fastai4j.learner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.callback.ActivationStats;
import ai.fastai4j.hooks.Hook;
import ai.fastai4j.nn.Module;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ActivationStatsTest {

    @Test
    void statsMatchAHandComputation() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] v = {-1f, 0f, 0.05f, 0.06f, 0.25f, 2.5f, 9.99f, 10f, 12f, 0.2499f};
            ActivationStats.LayerStats s = ActivationStats.statsOf(m.create(v, new Shape(2, 5)), true);
            double mean = 0;
            for (float f : v) {
                mean += f;
            }
            mean /= v.length;
            double ss = 0;
            for (float f : v) {
                ss += (f - mean) * (f - mean);
            }
            assertEquals(mean, s.mean(), 1e-5);
            assertEquals(Math.sqrt(ss / (v.length - 1)), s.std(), 1e-5);
            assertEquals(3 / 10.0, s.nearZero(), 1e-7); // -1, 0, 0.05
            long[] hist = new long[40];
            hist[0] = 4; // 0, 0.05, 0.06, 0.2499 (bins of 0.25; -1 and 12 fall outside)
            hist[1] = 1; // 0.25
            hist[10] = 1; // 2.5
            hist[39] = 2; // 9.99 and 10 (the last bin includes its upper edge, as torch.histc)
            assertArrayEquals(hist, s.hist());
        }
    }

    @Test
    void recordsEveryTrainingBatchOfEveryLayerWithParameters(@TempDir Path dir) throws Exception {
        try (TestData.Rig rig = TestData.blobRig(64, 16, 16, 2)) {
            ActivationStats stats = ActivationStats.withHist();
            Module first = rig.model.children().get("0");
            List<ActivationStats.LayerStats> expected = new ArrayList<>();
            Callback check = new Callback() {
                Hook<NDArray> h;

                @Override
                public void beforeFit(Learner l) {
                    h = Hook.output(first);
                }

                @Override
                public void afterBatch(Learner l) {
                    if (l.isTraining()) {
                        expected.add(ActivationStats.statsOf(h.stored(), true));
                    }
                }

                @Override
                public void afterFit(Learner l) {
                    h.close();
                }
            };
            rig.learn.fit(2, 1e-2, stats, check);
            assertEquals(List.of("0 Linear", "2 Linear"), stats.layerNames());
            assertEquals(8, stats.stats().size(), "2 epochs of 4 training batches");
            double[][] ls = stats.layerStats(0);
            for (int b = 0; b < 8; b++) {
                assertEquals(expected.get(b).mean(), ls[0][b], 1e-6);
                assertEquals(expected.get(b).std(), ls[1][b], 1e-6);
                assertEquals(expected.get(b).nearZero(), ls[2][b], 1e-9);
            }
            assertEquals(0, first.forwardHookCount(), "hooks removed after fit");
            assertEquals((float) Math.log1p(expected.get(3).hist()[0]), stats.hist(0)[3], 1e-6f);
            Path p1 = stats.plotLayerStats(0, dir.resolve("stats.png"));
            Path p2 = stats.colorDim(1, dir.resolve("colordim.png"));
            assertTrue(Files.size(p1) > 1000 && Files.size(p2) > 100);
        }
    }
}
