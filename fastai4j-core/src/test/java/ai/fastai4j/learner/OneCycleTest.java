package ai.fastai4j.learner;

import static ai.fastai4j.learner.FastaiSchedules.assertClose;
import static ai.fastai4j.learner.FastaiSchedules.combinedCos;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class OneCycleTest {

    @Test
    void fitOneCycleFollowsFastaiSchedulesPerIteration() {
        // 80 training items, batch size 8: 10 batches per epoch, 20 iterations in 2 epochs
        try (TestData.Rig rig = TestData.blobRig(80, 16, 8, 1)) {
            assertEquals(10, rig.dls.train().numBatches());
            double lrMax = 1e-2;
            rig.learn.fitOneCycle(2, lrMax);
            List<Double> lrs = rig.learn.recorder().lrs();
            List<Double> moms = rig.learn.recorder().moms();
            int total = 20;
            assertEquals(total, lrs.size());
            assertEquals(total, moms.size());

            // iteration 0, the last of the warm-up (pct 4/20 < 0.25), the middle, the last
            assertClose(lrMax / 25, lrs.get(0), "lr at iteration 0");
            assertClose(0.95, moms.get(0), "mom at iteration 0");
            double pct4 = 4.0 / total;
            assertClose(lrMax / 25 + (1 + Math.cos(Math.PI * (1 - pct4 / 0.25))) * (lrMax - lrMax / 25) / 2, lrs.get(4),
                    "lr at the last warm-up iteration");
            assertClose(0.95 + (1 + Math.cos(Math.PI * (1 - pct4 / 0.25))) * (0.85 - 0.95) / 2, moms.get(4),
                    "mom at the last warm-up iteration");
            double pMid = (0.5 - 0.25) / 0.75;
            assertClose(lrMax + (1 + Math.cos(Math.PI * (1 - pMid))) * (lrMax / 1e5 - lrMax) / 2, lrs.get(10),
                    "lr in the middle");
            assertClose(0.85 + (1 + Math.cos(Math.PI * (1 - pMid))) * (0.95 - 0.85) / 2, moms.get(10), "mom in the middle");
            double pLast = (19.0 / 20 - 0.25) / 0.75;
            assertClose(lrMax + (1 + Math.cos(Math.PI * (1 - pLast))) * (lrMax / 1e5 - lrMax) / 2, lrs.get(19),
                    "lr at the last iteration");
            assertClose(0.85 + (1 + Math.cos(Math.PI * (1 - pLast))) * (0.95 - 0.85) / 2, moms.get(19),
                    "mom at the last iteration");

            // and every other iteration: pct at iteration i is i / total
            for (int i = 0; i < total; i++) {
                double pct = (double) i / total;
                assertClose(combinedCos(0.25, lrMax / 25, lrMax, lrMax / 1e5, pct), lrs.get(i), "lr at " + i);
                assertClose(combinedCos(0.25, 0.95, 0.85, 0.95, pct), moms.get(i), "mom at " + i);
            }
            // the peak is reached right after warm-up: iteration 5 has pct exactly 0.25
            assertClose(lrMax, lrs.get(5), "lr at pct 0.25");
            assertClose(0.85, moms.get(5), "mom at pct 0.25");
            // per-epoch bookkeeping
            assertEquals(List.of(10, 20), rig.learn.recorder().iters());
            assertEquals(2, rig.learn.recorder().values().size());
        }
    }

    @Test
    void oneCycleSpreadsSliceOverGroups() {
        List<TestData.Sample> items = TestData.blobs(48, 3, 2.0);
        try (TestData.Rig rig = TestData.blobRig(items, 16, 8, 0, 1, b -> b.splitter(m -> {
            var ps = m.parameters();
            return List.of(ps.subList(0, 2), ps.subList(2, 4));
        }))) {
            ParamScheduler[] seen = new ParamScheduler[1];
            Callback spy = new Callback() {
                @Override
                public void afterFit(Learner learn) {
                    // the one-cycle scheduler is installed only during the fit
                    seen[0] = learn.callbacks().stream().filter(ParamScheduler.class::isInstance)
                            .map(ParamScheduler.class::cast).findFirst().orElse(null);
                }
            };
            rig.learn.addCallbacks(spy);
            rig.learn.fitOneCycle(1, ai.fastai4j.optim.Slice.of(1e-4, 1e-2));
            List<double[]> lr = seen[0].history().get("lr");
            assertEquals(4, lr.size());
            assertClose(1e-4 / 25, lr.get(0)[0], "group 0 at iteration 0");
            assertClose(1e-2 / 25, lr.get(0)[1], "group 1 at iteration 0");
            assertClose(1e-2 / 25, rig.learn.recorder().lrs().get(0), "recorder shows the last group");
            assertEquals(false, rig.learn.callbacks().contains(seen[0]), "scheduler removed after the fit");
        }
    }
}
