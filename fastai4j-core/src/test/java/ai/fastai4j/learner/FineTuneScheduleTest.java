package ai.fastai4j.learner;

import static ai.fastai4j.learner.FastaiSchedules.assertClose;
import static ai.fastai4j.learner.FastaiSchedules.combinedCos;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.fastai4j.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** fine_tune's two one-cycle fits, per parameter group and per iteration, against fastai's formulas. */
class FineTuneScheduleTest {

    @Test
    void fineTuneFollowsFastaiPerGroupAndIteration() {
        // 40 training items, batch size 8: 5 iterations per epoch
        List<TestData.Sample> items = TestData.blobs(56, 3, 2.0);
        try (TestData.Rig rig = TestData.blobRig(items, 16, 8, 0, 1, b -> b.splitter(m -> {
            List<Parameter> ps = m.parameters(); // 0.weight 0.bias 2.weight 2.bias: three groups
            return List.of(ps.subList(0, 1), ps.subList(1, 2), ps.subList(2, 4));
        }))) {
            List<List<double[]>> lrPerFit = new ArrayList<>();
            List<List<Boolean>> trainableAtStart = new ArrayList<>();
            rig.learn.addCallbacks(new Callback() {
                @Override
                public void beforeFit(Learner learn) {
                    List<Boolean> t = new ArrayList<>();
                    learn.paramGroups().forEach(g -> t.add(g.get(0).isTrainable()));
                    trainableAtStart.add(t);
                }

                @Override
                public void afterFit(Learner learn) {
                    ParamScheduler s = learn.callbacks().stream().filter(ParamScheduler.class::isInstance)
                            .map(ParamScheduler.class::cast).findFirst().orElseThrow();
                    lrPerFit.add(List.copyOf(s.history().get("lr")));
                }
            });
            double baseLr = 1e-2;
            int epochs = 2;
            rig.learn.fineTune(epochs, baseLr, 1, 100, 0.3, 5);

            assertEquals(2, lrPerFit.size(), "fine_tune runs two fits");
            assertEquals(List.of(false, false, true), trainableAtStart.get(0), "first fit: body frozen");
            assertEquals(List.of(true, true, true), trainableAtStart.get(1), "second fit: unfrozen");

            // fit 1: fit_one_cycle(1, slice(base_lr), pct_start=0.99): lr_range(slice(None, hi)) = [hi/10, hi/10, hi]
            double[] max1 = {baseLr / 10, baseLr / 10, baseLr};
            List<double[]> f1 = lrPerFit.get(0);
            assertEquals(5, f1.size());
            for (int i = 0; i < f1.size(); i++) {
                double pct = i / 5.0;
                for (int g = 0; g < 3; g++) {
                    assertClose(combinedCos(0.99, max1[g] / 25, max1[g], max1[g] / 1e5, pct), f1.get(i)[g],
                            "fit 1, iteration " + i + ", group " + g);
                }
            }
            // fit 2: base_lr /= 2; fit_one_cycle(epochs, slice(base_lr/lr_mult, base_lr), pct_start=0.3, div=5);
            // even_mults(lo, hi, 3) = [lo, sqrt(lo*hi), hi]
            double hi = baseLr / 2;
            double lo = hi / 100;
            double[] max2 = {lo, Math.sqrt(lo * hi), hi};
            List<double[]> f2 = lrPerFit.get(1);
            assertEquals(10, f2.size());
            for (int i = 0; i < f2.size(); i++) {
                double pct = i / 10.0;
                for (int g = 0; g < 3; g++) {
                    assertClose(combinedCos(0.3, max2[g] / 5, max2[g], max2[g] / 1e5, pct), f2.get(i)[g],
                            "fit 2, iteration " + i + ", group " + g);
                }
            }
            // the peak of the second fit is at pct 0.3 (iteration 3) with the geometric spread 1e-4, 1e-3, 1e-2 / 2
            assertClose(5e-5, f2.get(3)[0], "group 0 peak");
            assertClose(5e-4, f2.get(3)[1], "group 1 peak");
            assertClose(5e-3, f2.get(3)[2], "group 2 peak");
            assertFalse(rig.learn.callbacks().stream().anyMatch(ParamScheduler.class::isInstance));
            assertTrue(rig.learn.paramGroups().stream().allMatch(g -> g.get(0).isTrainable()));
        }
    }
}
