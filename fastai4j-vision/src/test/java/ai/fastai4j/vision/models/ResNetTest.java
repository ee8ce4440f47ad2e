package ai.fastai4j.vision.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** torchvision fidelity of {@link ResNet}: names, counts, shapes, init. Reference numbers from torchvision 0.14. */
class ResNetTest {

    /** {@code list(torchvision.models.resnet18().state_dict().keys())}, in order. */
    static final String[] RESNET18_STATE = {
            "conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
            "bn1.num_batches_tracked", "layer1.0.conv1.weight", "layer1.0.bn1.weight", "layer1.0.bn1.bias",
            "layer1.0.bn1.running_mean", "layer1.0.bn1.running_var", "layer1.0.bn1.num_batches_tracked",
            "layer1.0.conv2.weight", "layer1.0.bn2.weight", "layer1.0.bn2.bias", "layer1.0.bn2.running_mean",
            "layer1.0.bn2.running_var", "layer1.0.bn2.num_batches_tracked", "layer1.1.conv1.weight",
            "layer1.1.bn1.weight", "layer1.1.bn1.bias", "layer1.1.bn1.running_mean", "layer1.1.bn1.running_var",
            "layer1.1.bn1.num_batches_tracked", "layer1.1.conv2.weight", "layer1.1.bn2.weight", "layer1.1.bn2.bias",
            "layer1.1.bn2.running_mean", "layer1.1.bn2.running_var", "layer1.1.bn2.num_batches_tracked",
            "layer2.0.conv1.weight", "layer2.0.bn1.weight", "layer2.0.bn1.bias", "layer2.0.bn1.running_mean",
            "layer2.0.bn1.running_var", "layer2.0.bn1.num_batches_tracked", "layer2.0.conv2.weight",
            "layer2.0.bn2.weight", "layer2.0.bn2.bias", "layer2.0.bn2.running_mean", "layer2.0.bn2.running_var",
            "layer2.0.bn2.num_batches_tracked", "layer2.0.downsample.0.weight", "layer2.0.downsample.1.weight",
            "layer2.0.downsample.1.bias", "layer2.0.downsample.1.running_mean", "layer2.0.downsample.1.running_var",
            "layer2.0.downsample.1.num_batches_tracked", "layer2.1.conv1.weight", "layer2.1.bn1.weight",
            "layer2.1.bn1.bias", "layer2.1.bn1.running_mean", "layer2.1.bn1.running_var",
            "layer2.1.bn1.num_batches_tracked", "layer2.1.conv2.weight", "layer2.1.bn2.weight", "layer2.1.bn2.bias",
            "layer2.1.bn2.running_mean", "layer2.1.bn2.running_var", "layer2.1.bn2.num_batches_tracked",
            "layer3.0.conv1.weight", "layer3.0.bn1.weight", "layer3.0.bn1.bias", "layer3.0.bn1.running_mean",
            "layer3.0.bn1.running_var", "layer3.0.bn1.num_batches_tracked", "layer3.0.conv2.weight",
            "layer3.0.bn2.weight", "layer3.0.bn2.bias", "layer3.0.bn2.running_mean", "layer3.0.bn2.running_var",
            "layer3.0.bn2.num_batches_tracked", "layer3.0.downsample.0.weight", "layer3.0.downsample.1.weight",
            "layer3.0.downsample.1.bias", "layer3.0.downsample.1.running_mean", "layer3.0.downsample.1.running_var",
            "layer3.0.downsample.1.num_batches_tracked", "layer3.1.conv1.weight", "layer3.1.bn1.weight",
            "layer3.1.bn1.bias", "layer3.1.bn1.running_mean", "layer3.1.bn1.running_var",
            "layer3.1.bn1.num_batches_tracked", "layer3.1.conv2.weight", "layer3.1.bn2.weight", "layer3.1.bn2.bias",
            "layer3.1.bn2.running_mean", "layer3.1.bn2.running_var", "layer3.1.bn2.num_batches_tracked",
            "layer4.0.conv1.weight", "layer4.0.bn1.weight", "layer4.0.bn1.bias", "layer4.0.bn1.running_mean",
            "layer4.0.bn1.running_var", "layer4.0.bn1.num_batches_tracked", "layer4.0.conv2.weight",
            "layer4.0.bn2.weight", "layer4.0.bn2.bias", "layer4.0.bn2.running_mean", "layer4.0.bn2.running_var",
            "layer4.0.bn2.num_batches_tracked", "layer4.0.downsample.0.weight", "layer4.0.downsample.1.weight",
            "layer4.0.downsample.1.bias", "layer4.0.downsample.1.running_mean", "layer4.0.downsample.1.running_var",
            "layer4.0.downsample.1.num_batches_tracked", "layer4.1.conv1.weight", "layer4.1.bn1.weight",
            "layer4.1.bn1.bias", "layer4.1.bn1.running_mean", "layer4.1.bn1.running_var",
            "layer4.1.bn1.num_batches_tracked", "layer4.1.conv2.weight", "layer4.1.bn2.weight", "layer4.1.bn2.bias",
            "layer4.1.bn2.running_mean", "layer4.1.bn2.running_var", "layer4.1.bn2.num_batches_tracked",
            "fc.weight", "fc.bias"
    };

    @Test
    void resnet18StateDictNamesAreTorchvisionsInOrder() {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet r = ResNet.resnet18(m, 1000);
            List<String> names = new ArrayList<>(r.stateDict().keySet());
            assertEquals(122, RESNET18_STATE.length);
            assertEquals(List.of(RESNET18_STATE), names);
            Map<String, Parameter> p = r.namedParameters();
            assertEquals(new Shape(64, 3, 7, 7), p.get("conv1.weight").data().getShape());
            assertEquals(new Shape(128, 64, 1, 1), p.get("layer2.0.downsample.0.weight").data().getShape());
            assertEquals(new Shape(512), p.get("layer4.0.downsample.1.running_var").data().getShape());
            assertEquals(new Shape(), p.get("layer3.1.bn2.num_batches_tracked").data().getShape());
            assertEquals(Parameter.Kind.BUFFER, p.get("bn1.running_mean").kind());
            assertEquals(new Shape(1000, 512), p.get("fc.weight").data().getShape());
            assertEquals(new Shape(1000), p.get("fc.bias").data().getShape());
        }
    }

    @Test
    void stateDictSizesOfDeeperResNets() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertEquals(218, ResNet.resnet34(m, 1000).stateDict().size());
            ResNet r50 = ResNet.resnet50(m, 1000);
            Map<String, NDArray> sd = r50.stateDict();
            assertEquals(320, sd.size());
            assertEquals(new Shape(64, 64, 1, 1), sd.get("layer1.0.conv1.weight").getShape());
            assertEquals(new Shape(64, 64, 3, 3), sd.get("layer1.0.conv2.weight").getShape());
            assertEquals(new Shape(256, 64, 1, 1), sd.get("layer1.0.conv3.weight").getShape());
            assertEquals(new Shape(256, 64, 1, 1), sd.get("layer1.0.downsample.0.weight").getShape());
            assertTrue(sd.containsKey("layer4.2.bn3.num_batches_tracked"));
            assertTrue(!sd.containsKey("layer1.1.downsample.0.weight"));
            // ResNet v1.5: the stride is on the 3x3 conv, 1x1 conv1 keeps the resolution
            assertEquals(new Shape(128, 256, 1, 1), sd.get("layer2.0.conv1.weight").getShape());
            assertEquals(new Shape(2048, 1024, 1, 1), sd.get("layer4.0.downsample.0.weight").getShape());
            assertEquals(new Shape(1000, 2048), sd.get("fc.weight").getShape());
        }
    }

    @Test
    void parameterCountsMatchTorchvision() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertEquals(11_689_512L, ResNet.resnet18(m, 1000).parameterCount());
            assertEquals(21_797_672L, ResNet.resnet34(m, 1000).parameterCount());
            assertEquals(25_557_032L, ResNet.resnet50(m, 1000).parameterCount());
            assertEquals(44_549_160L, ResNet.resnet101(m, 1000, 3).parameterCount());
            assertEquals(62, ResNet.resnet18(m, 1000).parameters().size());
            assertEquals(161, ResNet.resnet50(m, 1000).parameters().size());
        }
    }

    @Test
    void resnet18OutputAt224() {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet r = ResNet.resnet18(m, 1000);
            try (NDScope s = new NDScope()) {
                NDArray x = m.randomNormal(new Shape(2, 3, 224, 224));
                assertEquals(new Shape(2, 512, 7, 7), r.body().forward(x).getShape());
                assertEquals(new Shape(2, 1000), r.forward(x).getShape());
                r.eval();
                assertEquals(new Shape(2, 1000), r.forward(x).getShape());
            }
        }
    }

    @Test
    void resnet50OutputAt64() {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet r = ResNet.resnet50(m, 1000);
            assertEquals(2048, r.numFeatures());
            try (NDScope s = new NDScope()) {
                NDArray x = m.randomNormal(new Shape(2, 3, 64, 64));
                assertEquals(new Shape(2, 2048, 2, 2), r.body().forward(x).getShape());
                assertEquals(new Shape(2, 1000), r.forward(x).getShape());
            }
        }
    }

    @Test
    void greyscaleInputChannel() {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet r = ResNet.resnet34(m, 5, 1);
            assertEquals(new Shape(64, 1, 7, 7), r.namedParameters().get("conv1.weight").data().getShape());
            assertEquals(21_797_672L - 64 * 2 * 49 - 995 * 513, r.parameterCount());
            try (NDScope s = new NDScope()) {
                assertEquals(new Shape(2, 5), r.forward(m.randomNormal(new Shape(2, 1, 64, 64))).getShape());
            }
        }
    }

    @Test
    void bodyIsTheCutBeforePoolingAndSharesParameters() {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet r = ResNet.resnet18(m, 10);
            assertEquals(List.of("conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4"),
                    new ArrayList<>(r.body().children().keySet()));
            assertEquals(List.of("conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool",
                    "fc"), new ArrayList<>(r.children().keySet()));
            Map<String, Parameter> all = r.namedParameters();
            r.body().namedParameters().forEach((n, p) -> assertSame(all.get(n), p, n));
            assertEquals(all.size() - 2, r.body().namedParameters().size());
        }
    }

    @Test
    void torchvisionInit() {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet r = ResNet.resnet18(m, 10);
            Map<String, Parameter> p = r.namedParameters();
            int bns = 0;
            for (Map.Entry<String, Parameter> e : p.entrySet()) {
                NDArray d = e.getValue().data();
                if (e.getKey().endsWith("running_mean") || e.getKey().contains("bn") && e.getKey().endsWith(".bias")
                        || e.getKey().startsWith("layer") && e.getKey().endsWith("downsample.1.bias")) {
                    assertEquals(0f, d.abs().max().getFloat(), e.getKey());
                }
                if (e.getKey().endsWith("running_var")) {
                    bns++;
                    String w = e.getKey().replace("running_var", "weight");
                    assertEquals(1f, p.get(w).data().min().getFloat(), w);
                    assertEquals(1f, p.get(w).data().max().getFloat(), w);
                }
            }
            assertEquals(20, bns);
            // kaiming_normal_(mode="fan_out", nonlinearity="relu"): std sqrt(2 / (out * k * k))
            float std = std(p.get("layer3.0.conv2.weight").data());
            assertEquals(Math.sqrt(2.0 / (256 * 9)), std, 0.03 * std);
            assertNull(((BasicBlock) r.body().children().get("layer1").children().get("0")).downsample());
        }
    }

    @Test
    void zeroInitResidualZeroesTheLastBnOfEachBlock() {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet r = ResNet.builder().block(ResNet.Block.BOTTLENECK).layers(1, 1).numClasses(3)
                    .zeroInitResidual(true).build(m);
            Map<String, Parameter> p = r.namedParameters();
            assertEquals(0f, p.get("layer1.0.bn3.weight").data().abs().max().getFloat());
            assertEquals(0f, p.get("layer2.0.bn3.weight").data().abs().max().getFloat());
            assertEquals(1f, p.get("layer2.0.bn2.weight").data().min().getFloat());
            assertEquals(512, r.numFeatures());
        }
    }

    @Test
    void builderValidates() {
        assertThrows(IllegalStateException.class, () -> ResNet.builder().layers(2, 2).buildBody(null));
        assertThrows(IllegalStateException.class,
                () -> ResNet.builder().block(ResNet.Block.BASIC).layers(1, 1).widths(8).buildBody(null));
        assertThrows(IllegalArgumentException.class,
                () -> ResNet.builder().block(ResNet.Block.BASIC).layers(1, 0).buildBody(null));
    }

    static float std(NDArray a) {
        NDArray c = a.sub(a.mean());
        return (float) Math.sqrt(c.mul(c).mean().getFloat());
    }
}
