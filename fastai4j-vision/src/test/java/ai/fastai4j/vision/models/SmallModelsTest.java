package ai.fastai4j.vision.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.nn.BatchNorm;
import ai.fastai4j.nn.Conv2d;
import ai.fastai4j.nn.Sequential;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The small nets for 28x28 images. */
class SmallModelsTest {

    @Test
    void smallResNetShapesNamesAndCount() {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet r = ResNets.smallResNet(m, 1, 10);
            // same net written with torchvision's BasicBlock in PyTorch 1.13: 308,074 parameters
            assertEquals(308_074L, r.parameterCount());
            assertEquals(128, r.numFeatures());
            assertEquals(List.of("conv1", "bn1", "relu", "layer1", "layer2", "layer3"),
                    new ArrayList<>(r.body().children().keySet()));
            Map<String, NDArray> sd = r.stateDict();
            assertEquals(new Shape(32, 1, 3, 3), sd.get("conv1.weight").getShape());
            assertFalse(sd.containsKey("layer1.0.downsample.0.weight"));
            assertEquals(new Shape(64, 32, 1, 1), sd.get("layer2.0.downsample.0.weight").getShape());
            assertEquals(new Shape(10, 128), sd.get("fc.weight").getShape());
            try (NDScope s = new NDScope()) {
                NDArray x = m.randomNormal(new Shape(2, 1, 28, 28));
                assertEquals(new Shape(2, 128, 7, 7), r.body().forward(x).getShape());
                assertEquals(new Shape(2, 10), r.forward(x).getShape());
            }
        }
    }

    @Test
    void simpleCnnFollowsFastbook() {
        try (NDManager m = NDManager.newBaseManager()) {
            Sequential net = SimpleCnn.create(m, 1, 10);
            assertEquals(6, net.size());
            // conv 5x5 1->8, then 3x3 8->16->32->64 (no bias, BN), then 3x3 64->10 with bias, no BN
            long expected = 8 * 25 + 16 + 16 * 8 * 9 + 32 + 32 * 16 * 9 + 64 + 64 * 32 * 9 + 128 + 10 * 64 * 9 + 10;
            assertEquals(expected, net.parameterCount());
            assertEquals(30_402L, net.parameterCount());
            Sequential first = (Sequential) net.get(0);
            assertTrue(first.get(0) instanceof Conv2d);
            assertTrue(first.get(1) instanceof BatchNorm);
            assertEquals("ReLU", first.get(2).toString());
            assertEquals(1, ((Sequential) net.get(4)).size()); // classifier conv only: no BN, no ReLU on logits
            assertEquals(new Shape(10), net.stateDict().get("4.0.bias").getShape());
            try (NDScope s = new NDScope()) {
                NDArray x = m.randomNormal(new Shape(2, 1, 28, 28));
                NDArray h = x;
                for (int i = 0; i < 4; i++) {
                    h = net.get(i).forward(h);
                }
                assertEquals(new Shape(2, 64, 2, 2), h.getShape());
                assertEquals(new Shape(2, 10, 1, 1), net.get(4).forward(h).getShape());
                assertEquals(new Shape(2, 10), net.forward(x).getShape());
                assertEquals(new Shape(2, 64, 2, 2), SimpleCnn.body(m, 1).forward(x).getShape());
            }
        }
    }

    @Test
    void simpleCnnCustomChannels() {
        try (NDManager m = NDManager.newBaseManager()) {
            Sequential net = SimpleCnn.create(m, new int[] {3, 16, 16, 2}, 3);
            assertEquals(4, net.size());
            try (NDScope s = new NDScope()) {
                assertEquals(new Shape(2, 2), net.forward(m.randomNormal(new Shape(2, 3, 20, 20))).getShape());
            }
        }
    }
}
