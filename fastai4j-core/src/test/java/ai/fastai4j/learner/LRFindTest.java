package ai.fastai4j.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LRFindTest {

    private static void assertSuggestionsSane(SuggestedLrs s) {
        for (Map.Entry<String, Double> e : s.asMap().entrySet()) {
            double v = e.getValue();
            assertTrue(Double.isFinite(v), e.getKey() + " is not finite: " + v);
            // minimum is lr/10, so it may go a decade below the sweep's start
            double low = e.getKey().equals("minimum") ? 1e-8 : 1e-7;
            assertTrue(v >= low * (1 - 1e-9) && v <= 10 * (1 + 1e-9), e.getKey() + " out of range: " + v);
        }
    }

    @Test
    void lrFindStopsOnDivergenceAndRestoresWeightsAndOptimizerState() {
        // regression with MSE: Adam at a learning rate near 10 overshoots and the loss explodes.
        // 80 training items, bs 8: 10 batches per epoch; lr_find runs up to 100 iterations
        try (TestData.Rig rig = TestData.pointRig(80, 16, 8, 3)) {
            rig.learn.fitOneCycle(12, 3e-2); // a low loss to diverge from; the optimizer now holds Adam state
            Map<String, String> weightsBefore = TestData.weights(rig.model);
            Map<String, String> optBefore = TestData.optState(rig.learn.opt());
            assertTrue(optBefore.keySet().stream().anyMatch(k -> k.endsWith("grad_avg")), optBefore.keySet().toString());

            SuggestedLrs s = rig.learn.lrFind();

            List<Double> lrs = rig.learn.recorder().lrs();
            assertTrue(lrs.size() < 100, "lr_find should stop on divergence before 100 iterations, ran " + lrs.size());
            assertTrue(lrs.size() > 20, "ran only " + lrs.size());
            // the sweep is exponential from 1e-7: lr at iteration i is 1e-7 * (10/1e-7)^(i/100)
            for (int i = 0; i < lrs.size(); i++) {
                double expected = 1e-7 * Math.pow(10 / 1e-7, i / 100.0);
                assertEquals(expected, lrs.get(i), expected * 1e-9, "lr at " + i);
            }
            // the loss blew up: the last smoothed loss is more than four times the best one
            List<Double> losses = rig.learn.recorder().losses();
            double best = losses.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            double last = losses.get(losses.size() - 1);
            assertTrue(last > 4 * best || Double.isNaN(last), "last " + last + " best " + best);

            assertEquals(weightsBefore, TestData.weights(rig.model), "weights restored exactly");
            assertEquals(optBefore, TestData.optState(rig.learn.opt()), "optimizer state restored exactly");
            assertSuggestionsSane(s);
            // the suggestions come from the recorded values
            assertEquals(lrs.size() - 5 - 10, s.lrs().length);
        }
    }

    @Test
    void lrFindOnFreshLearnerLeavesNoOptimizerState() {
        try (TestData.Rig rig = TestData.blobRig(80, 16, 8, 4)) {
            Map<String, String> weightsBefore = TestData.weights(rig.model);
            SuggestedLrs s = rig.learn.lrFind();
            assertEquals(weightsBefore, TestData.weights(rig.model), "weights restored exactly");
            Map<String, String> opt = TestData.optState(rig.learn.opt());
            assertFalse(opt.keySet().stream().anyMatch(k -> k.startsWith("group")),
                    "Adam state from the sweep survived lr_find: " + opt.keySet());
            assertEquals(1e-3, rig.learn.opt().hyper("lr", 0), 0, "lr hyper restored to the learner's default");
            assertSuggestionsSane(s);
            // training afterwards works and starts from the restored weights
            rig.learn.fit(1, 1e-3);
            assertNotEquals(weightsBefore, TestData.weights(rig.model));
        }
    }

    @Test
    void lrFindWithoutDivergenceRunsExactlyNumIt() {
        try (TestData.Rig rig = TestData.blobRig(80, 16, 8, 5)) {
            SuggestedLrs s = rig.learn.lrFind(1e-6, 1e-3, 30, true);
            assertEquals(30, rig.learn.recorder().lrs().size());
            assertEquals(1e-6, rig.learn.recorder().lrs().get(0), 1e-15);
            // no validation during lr_find: the epoch rows have no valid loss
            rig.learn.recorder().values().forEach(row -> assertTrue(Double.isNaN(row.get(1)), row.toString()));
            assertEquals(30 - 3 - 5, s.lrs().length);
        }
    }
}
