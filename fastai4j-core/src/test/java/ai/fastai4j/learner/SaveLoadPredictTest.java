package ai.fastai4j.learner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.fastai4j.metrics.Metrics;
import ai.fastai4j.optim.Optimizer;
import ai.fastai4j.optim.OptimizerFactory;
import ai.fastai4j.optim.Optimizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SaveLoadPredictTest {

    /** Adam on the fused path (the default) or on its step list. */
    private static OptimizerFactory adam(boolean fused) {
        return groups -> {
            Optimizer o = Optimizers.adam().create(groups);
            o.setFused(fused);
            return o;
        };
    }

    @ParameterizedTest(name = "fused Adam {0}")
    @ValueSource(booleans = {true, false})
    void saveAndLoadRestoreWeightsAndOptimizerStateExactly(boolean fused, @TempDir Path dir) {
        List<TestData.Sample> items = TestData.blobs(64, 12, 2.0);
        Map<String, String> w1;
        Map<String, String> o1;
        try (TestData.Rig rig = TestData.blobRig(items, 16, 8, 0, 5, b -> b.path(dir).optimizer(adam(fused)))) {
            rig.learn.fit(2, 1e-2);
            assertEquals(fused, rig.learn.opt().isFused());
            int live = TestData.liveArrays();
            Path f = rig.learn.save("stage1", true);
            assertEquals(dir.resolve("models").resolve("stage1.safetensors"), f);
            assertTrue(Files.isRegularFile(f));
            assertEquals(live, TestData.liveArrays(), "save leaves no arrays behind");
            w1 = TestData.weights(rig.model);
            o1 = TestData.optState(rig.learn.opt());
            assertTrue(o1.keySet().stream().anyMatch(k -> k.endsWith(".sqr_avg")), o1.keySet().toString());

            rig.learn.fit(1, 1e-2);
            assertNotEquals(w1, TestData.weights(rig.model));
            assertNotEquals(o1, TestData.optState(rig.learn.opt()));
            rig.learn.load("stage1", true);
            assertEquals(live, TestData.liveArrays(), "load leaves no arrays behind");
            assertEquals(w1, TestData.weights(rig.model), "weights");
            assertEquals(o1, TestData.optState(rig.learn.opt()), "optimizer state and hyper-parameters");

            // without the optimizer: weights come back, the optimizer keeps what it has
            rig.learn.save("weights-only", false);
            rig.learn.fit(1, 1e-2);
            Map<String, String> optNow = TestData.optState(rig.learn.opt());
            rig.learn.load("weights-only", false);
            assertEquals(w1, TestData.weights(rig.model));
            assertEquals(optNow, TestData.optState(rig.learn.opt()));
        }
        // a new learner (other initial weights) picks up both from the file
        try (TestData.Rig other = TestData.blobRig(items, 16, 8, 0, 99, b -> b.path(dir).optimizer(adam(fused)))) {
            assertNotEquals(w1, TestData.weights(other.model));
            other.learn.load("stage1", true);
            assertEquals(w1, TestData.weights(other.model));
            assertEquals(o1, TestData.optState(other.learn.opt()));
        }
    }

    @Test
    void getPredsAndPredict() {
        List<TestData.Sample> items = TestData.blobs(96, 13, 2.5);
        try (TestData.Rig rig = TestData.blobRig(items, 32, 8, 0, 6, b -> b.metrics(Metrics.accuracy()))) {
            rig.learn.fitOneCycle(4, 1e-2);
            assertEquals(List.of("a", "b"), rig.dls.vocab());
            try (Preds p = rig.learn.getPreds()) {
                float[] probs = p.probs().toFloatArray();
                assertEquals(64, probs.length);
                long[] targets = p.targets().toLongArray();
                long[] decoded = p.decoded().toLongArray();
                float[] losses = p.losses().toFloatArray();
                int correct = 0;
                for (int i = 0; i < 32; i++) {
                    assertEquals(1.0, probs[2 * i] + probs[2 * i + 1], 1e-5, "row " + i);
                    // validation items are the last 32, in order; even items are "a" (index 0)
                    int item = 64 + i;
                    assertEquals(item % 2 == 0 ? 0 : 1, targets[i], "target of item " + item);
                    assertEquals(probs[2 * i] >= probs[2 * i + 1] ? 0 : 1, decoded[i]);
                    assertEquals(-Math.log(probs[2 * i + (int) targets[i]]), losses[i], 1e-4);
                    correct += decoded[i] == targets[i] ? 1 : 0;
                }
                assertTrue(correct >= 30, "blobs 5 apart are separable: " + correct + "/32");
                double acc = rig.learn.recorder().values().get(3).get(2);
                assertEquals(correct / 32.0, acc, 1e-9, "get_preds agrees with the accuracy metric");
            }
            Prediction a = rig.learn.predict(new float[] {-2.5f, -2.5f});
            assertEquals("a", a.label());
            assertEquals(0, a.decision());
            assertEquals(2, a.probs().length);
            assertTrue(a.probs()[0] > 0.9f, java.util.Arrays.toString(a.probs()));
            assertEquals(a.probs()[0], a.maxProb());
            Prediction b = rig.learn.predict(new float[] {2.5f, 2.5f});
            assertEquals("b", b.label());
            assertEquals(1, b.decision());
            assertEquals(rig.dls.vocab().get((Integer) b.decision()), b.label());
            // predict agrees with get_preds on a validation item
            try (Preds p = rig.learn.getPreds()) {
                float[] probs = p.probs().toFloatArray();
                Prediction v = rig.learn.predict(items.get(64).x());
                assertArrayEquals(new float[] {probs[0], probs[1]}, v.probs(), 1e-6f);
            }
            // get_preds evaluates in eval mode and gives the model back in the mode it found it
            rig.model.train(true);
            try (Preds p = rig.learn.getPreds()) {
                assertEquals(32, p.probs().getShape().get(0));
            }
            assertTrue(rig.model.isTraining());
        }
    }
}
