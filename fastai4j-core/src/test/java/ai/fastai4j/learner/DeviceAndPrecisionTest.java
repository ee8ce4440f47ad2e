package ai.fastai4j.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.fastai4j.engine.Devices;
import ai.fastai4j.engine.Gradients;
import ai.fastai4j.nn.Parameter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The learner's device, the CPU refusal of mixed precision, and MixedPrecision's loss scaling on the CPU (where
 * autocast changes nothing, so only the scale / unscale / skip logic acts).
 */
class DeviceAndPrecisionTest {

    @Test
    void theLearnerRunsOnTheDeviceItIsGiven() {
        try (TestData.Rig rig = TestData.blobRig(TestData.blobs(40, 7, 2.0), 8, 8, 0, 1,
                b -> b.device(Device.cpu()))) {
            assertEquals(Device.cpu(), rig.learn.device());
            assertEquals(Device.cpu(), rig.model.device());
            assertEquals(Device.cpu(), rig.learn.manager().getDevice());
        }
    }

    @Test
    void aGpuIsRefusedClearlyWhenTheEngineHasNone() {
        int gpus = Devices.gpuCount();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TestData.blobRig(TestData.blobs(40, 7, 2.0), 8, 8, 0, 1, b -> b.device(Device.gpu(gpus))));
        assertTrue(e.getMessage().contains("not available"), e.getMessage());
    }

    @Test
    void toFp16OnTheCpuIsRefused() {
        try (TestData.Rig rig = TestData.blobRig(40, 8, 8, 1)) {
            if (rig.learn.device().isGpu()) {
                return; // a CUDA machine: toFp16 is allowed there (bench/gpu-check.sh exercises it)
            }
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, rig.learn::toFp16);
            assertTrue(e.getMessage().contains("needs a CUDA GPU"), e.getMessage());
            assertFalse(rig.learn.hasCallback(MixedPrecision.class), "nothing changed");
        }
    }

    @Test
    void scaledLossThenUnscaledGradientsGiveTheSameWeights() {
        try (TestData.Rig plain = TestData.blobRig(TestData.blobs(48, 7, 2.0), 16, 8, 0, 3, b -> { });
                TestData.Rig scaled = TestData.blobRig(TestData.blobs(48, 7, 2.0), 16, 8, 0, 3,
                        b -> b.callbacks(new MixedPrecision(new LossScaler(1024, 2000))))) {
            Map<String, String> start = TestData.weights(plain.model);
            plain.learn.fit(1, 1e-2);
            scaled.learn.fit(1, 1e-2);
            assertFalse(start.equals(TestData.weights(plain.model)), "training moved the weights");
            double d = maxDiff(plain, scaled);
            assertTrue(d < 1e-5, "loss x1024, gradients / 1024 vs plain fp32: max |diff| " + d);
        }
    }

    @Test
    void anOverflowSkipsTheStepAndHalvesTheScale() {
        // poisons one gradient of the first training step before MixedPrecision looks at the gradients
        Callback poison = new Callback() {
            @Override
            public int order() {
                return 5;
            }

            @Override
            public void afterBackward(Learner learn) {
                if (learn.trainIter() == 0) {
                    Parameter p = learn.model().parameters().get(0);
                    try (NDArray g = Gradients.of(p.data())) {
                        g.set(new ai.djl.ndarray.index.NDIndex("0"), Float.POSITIVE_INFINITY);
                    }
                }
            }
        };
        MixedPrecision mp = new MixedPrecision(new LossScaler(1024, 2000));
        try (TestData.Rig rig = TestData.blobRig(TestData.blobs(16, 7, 2.0), 8, 8, 0, 3,
                b -> b.callbacks(poison, mp))) {
            Map<String, String> start = TestData.weights(rig.model);
            rig.learn.fit(1, 1e-2); // one training batch: the poisoned one
            assertEquals(1, mp.scaler().skippedSteps());
            assertEquals(512.0, mp.scaler().scale());
            assertEquals(start, TestData.weights(rig.model), "the step was skipped: weights untouched");
        }
    }

    private static double maxDiff(TestData.Rig a, TestData.Rig b) {
        double max = 0;
        for (int i = 0; i < a.model.parameters().size(); i++) {
            float[] x = a.model.parameters().get(i).data().toFloatArray();
            float[] y = b.model.parameters().get(i).data().toFloatArray();
            for (int j = 0; j < x.length; j++) {
                max = Math.max(max, Math.abs(x[j] - y[j]));
            }
        }
        return max;
    }
}
