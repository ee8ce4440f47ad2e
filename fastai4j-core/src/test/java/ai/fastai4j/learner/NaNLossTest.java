package ai.fastai4j.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.fastai4j.data.DataLoaderOptions;
import ai.fastai4j.data.DataLoaders;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NaNLossTest {

    private static final class EpochCounter implements Callback {
        final List<String> seen = new ArrayList<>();

        @Override
        public void beforeEpoch(Learner learn) {
            seen.add("epoch " + learn.epoch());
        }

        @Override
        public void afterCancelFit(Learner learn) {
            seen.add("cancelled");
        }

        @Override
        public void afterFit(Learner learn) {
            seen.add("end");
        }
    }

    @Test
    void aNaNInputStopsTheFitNamingEpochAndBatch() {
        List<TestData.Sample> items = new ArrayList<>(TestData.blobs(24, 3, 2.0));
        // item 10 is in the second training batch (no shuffling, batch size 8)
        items.set(10, new TestData.Sample(new float[] {Float.NaN, 0.5f}, items.get(10).label()));
        try (NDManager m = NDManager.newBaseManager();
                DataLoaders dls = TestData.blobBlock(TestData.lastAsValid(24, 8)).dataLoaders(items,
                        new DataLoaderOptions(8, 0, 42L, false, true, 2))) {
            try (Learner learn = Learner.builder(dls, TestData.mlp(m, 1, 8, 2)).progress(false).build()) {
                EpochCounter c = new EpochCounter();
                learn.fit(3, 1e-3, c);
                String msg = learn.callback(TerminateOnNaNCallback.class).message();
                assertTrue(msg != null && msg.contains("epoch 0") && msg.contains("batch 1") && msg.contains("NaN"),
                        String.valueOf(msg));
                assertEquals(List.of("epoch 0", "cancelled", "end"), c.seen);
                assertEquals(1, learn.recorder().losses().size(), "only the finite batch was recorded");
                assertTrue(Double.isFinite(learn.recorder().losses().get(0)));
            }
        }
    }

    @Test
    void aNaNLaterInTrainingNamesThatEpochAndBatch() {
        try (TestData.Rig rig = TestData.blobRig(32, 8, 8, 2)) {
            Callback poison = new Callback() {
                @Override
                public void beforeBatch(Learner learn) {
                    if (learn.isTraining() && learn.epoch() == 1 && learn.iter() == 2) {
                        learn.setXb(new NDList(learn.xb().get(0).mul(Float.NaN)));
                    }
                }
            };
            EpochCounter c = new EpochCounter();
            rig.learn.fit(5, 1e-3, poison, c);
            String msg = rig.learn.callback(TerminateOnNaNCallback.class).message();
            assertTrue(msg != null && msg.contains("epoch 1, batch 2"), String.valueOf(msg));
            assertEquals(List.of("epoch 0", "epoch 1", "cancelled", "end"), c.seen);
            assertEquals(4 + 2, rig.learn.recorder().losses().size());
        }
    }
}
