package ai.fastai4j.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.fastai4j.metrics.Metrics;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NativeMemoryTest {

    @Test
    void liveArrayCountIsFlatAcrossEpochs() {
        List<TestData.Sample> items = TestData.blobs(96, 8, 1.5);
        int atStart = TestData.liveArrays();
        List<Integer> perEpoch = new ArrayList<>();
        try (TestData.Rig rig = TestData.blobRig(items, 32, 8, 2, 4,
                b -> b.metrics(Metrics.accuracy(), Metrics.f1()))) {
            int params = TestData.liveArrays() - atStart;
            assertTrue(params >= 4, "the model's parameters are counted: " + params);
            Callback sampler = new Callback() {
                @Override
                public void afterEpoch(Learner learn) {
                    perEpoch.add(TestData.liveArrays());
                }
            };
            rig.learn.fitOneCycle(5, ai.fastai4j.optim.Slice.all(1e-2), 25, 1e5, 0.25, sampler);
            assertEquals(5, perEpoch.size());
            assertEquals(perEpoch.get(0), perEpoch.get(4), "live arrays after epoch 1 vs 5: " + perEpoch);
            assertEquals(perEpoch.get(0), perEpoch.get(1), "live arrays per epoch: " + perEpoch);
            int afterFit = TestData.liveArrays();
            // lr_find, save and get_preds must not leave arrays behind either
            rig.learn.lrFind(1e-5, 1e-1, 20, true);
            assertEquals(afterFit, TestData.liveArrays(), "after lr_find");
            try (Preds p = rig.learn.getPreds()) {
                assertEquals(32, p.probs().getShape().get(0));
            }
            assertEquals(afterFit, TestData.liveArrays(), "after get_preds");
            rig.learn.predict(items.get(0).x());
            assertEquals(afterFit, TestData.liveArrays(), "after predict");
        }
        assertEquals(atStart, TestData.liveArrays(), "everything freed when the learner, loaders and manager close");
    }
}
