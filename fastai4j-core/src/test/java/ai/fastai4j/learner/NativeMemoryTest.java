package ai.fastai4j.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.engine.NativeMemory;
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

    private static final long MIB = 1 << 20;

    @Test
    void trimGivesFreedNativeMemoryBack() {
        assertTrue(NativeMemory.tuneMalloc(), "glibc tuning (Linux)");
        try (NDManager m = NDManager.newBaseManager()) {
            // 48 blocks of 2 MiB from the heap (under the 32 MiB mmap threshold), written so they are resident;
            // freeing every other one leaves 48 MiB of holes that glibc keeps (trim threshold 2 GiB)
            List<NDArray> blocks = new ArrayList<>();
            for (int i = 0; i < 48; i++) {
                blocks.add(m.ones(new Shape(512, 1024)));
            }
            for (int i = 0; i < blocks.size(); i += 2) {
                blocks.get(i).close();
            }
            long before = NativeMemory.residentBytes();
            assertTrue(NativeMemory.trim(), "malloc_trim(0) gave memory back");
            long after = NativeMemory.residentBytes();
            assertTrue(before > 0 && after > 0);
            // the holes are given back (measured: 49 of 48 MiB); allow for other threads' allocations
            assertTrue(after <= before - 24 * MIB, "RSS " + (before / MIB) + " -> " + (after / MIB) + " MiB");
            // the live blocks are intact
            for (int i = 1; i < blocks.size(); i += 2) {
                assertEquals(512 * 1024, blocks.get(i).sum().getFloat(), 0f);
            }
        }
    }

    @Test
    void onlyAnApplicationThatAsksTunesAndTrims() {
        String old = System.getProperty(NativeMemory.PROPERTY);
        try {
            System.clearProperty(NativeMemory.PROPERTY);
            try (TestData.Rig rig = TestData.blobRig(40, 8, 8, 1)) {
                assertFalse(rig.learn.tunesNativeMemory(), "the library alone changes nothing");
            }
            System.setProperty(NativeMemory.PROPERTY, "true");
            try (TestData.Rig rig = TestData.blobRig(40, 8, 8, 1)) {
                assertTrue(rig.learn.tunesNativeMemory(), "the switch is the builder's default");
            }
            try (TestData.Rig rig = TestData.blobRig(TestData.blobs(48, 7, 2.0), 8, 8, 0, 1,
                    b -> b.tuneNativeMemory(false))) {
                assertFalse(rig.learn.tunesNativeMemory(), "the builder option wins");
            }
        } finally {
            if (old == null) {
                System.clearProperty(NativeMemory.PROPERTY);
            } else {
                System.setProperty(NativeMemory.PROPERTY, old);
            }
        }
    }

    @Test
    void aTuningLearnerTrainsAsUsual() {
        // it tunes glibc when built and trims after every epoch and after fit; training goes on as usual
        try (TestData.Rig rig = TestData.blobRig(TestData.blobs(96, 8, 1.5), 32, 16, 0, 4,
                b -> b.metrics(Metrics.accuracy()).tuneNativeMemory(true))) {
            assertTrue(NativeMemory.isTuned());
            rig.learn.fit(3, 1e-2);
            List<List<Double>> values = rig.learn.recorder().values();
            assertEquals(3, values.size());
            double firstValid = values.get(0).get(1);
            double lastValid = values.get(2).get(1);
            assertTrue(lastValid < firstValid, "valid loss " + firstValid + " -> " + lastValid);
        }
    }
}
