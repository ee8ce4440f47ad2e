package ai.fastai4j.vision.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.nn.BatchNorm;
import ai.fastai4j.nn.Layers;
import ai.fastai4j.nn.Linear;
import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.Parameter;
import ai.fastai4j.nn.Sequential;
import ai.fastai4j.nn.StateDictReport;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** fastai's vision model assembly: head, body + head, parameter groups, torchvision weights. */
class VisionModelsTest {

    @Test
    void defaultHeadIsFastaisCreateHead() {
        try (NDManager m = NDManager.newBaseManager()) {
            Sequential head = VisionModels.createHead(m, 512, 10);
            List<Module> l = head.layers();
            assertEquals(9, l.size());
            assertEquals("AdaptiveConcatPool2d", l.get(0).toString());
            assertEquals("Flatten", l.get(1).toString());
            assertTrue(l.get(2) instanceof BatchNorm);
            assertEquals(0.25f, ((Layers.Dropout) l.get(3)).p());
            Linear lin1 = (Linear) l.get(4);
            assertEquals(1024, lin1.inFeatures());
            assertEquals(512, lin1.outFeatures());
            assertEquals(null, lin1.bias());
            assertEquals("ReLU", l.get(5).toString());
            assertTrue(l.get(6) instanceof BatchNorm);
            assertEquals(0.5f, ((Layers.Dropout) l.get(7)).p());
            Linear lin2 = (Linear) l.get(8);
            assertEquals(512, lin2.inFeatures());
            assertEquals(10, lin2.outFeatures());
            assertEquals(null, lin2.bias());
            assertEquals(List.of("2.weight", "2.bias", "2.running_mean", "2.running_var", "2.num_batches_tracked",
                    "4.weight", "6.weight", "6.bias", "6.running_mean", "6.running_var", "6.num_batches_tracked",
                    "8.weight"), new ArrayList<>(head.stateDict().keySet()));
            assertEquals(2 * 1024 + 1024 * 512 + 2 * 512 + 512 * 10, head.parameterCount());
            assertEquals(532_480L, head.parameterCount());
        }
    }

    @Test
    void headInitIsKaimingOnLinearsAndFastaiOnBatchNorm() {
        try (NDManager m = NDManager.newBaseManager()) {
            Sequential head = VisionModels.createHead(m, 512, 10);
            Map<String, NDArray> sd = head.stateDict();
            float std1 = ResNetTest.std(sd.get("4.weight"));
            assertEquals(Math.sqrt(2.0 / 1024), std1, 0.02 * std1);
            float std2 = ResNetTest.std(sd.get("8.weight"));
            assertEquals(Math.sqrt(2.0 / 512), std2, 0.1 * std2);
            assertEquals(0f, sd.get("4.weight").mean().getFloat(), 0.002f);
            for (String bn : List.of("2", "6")) {
                assertEquals(1f, sd.get(bn + ".weight").min().getFloat());
                assertEquals(1f, sd.get(bn + ".weight").max().getFloat());
                assertEquals(1e-3f, sd.get(bn + ".bias").min().getFloat());
                assertEquals(1e-3f, sd.get(bn + ".bias").max().getFloat());
            }
        }
    }

    @Test
    void headForwardAndOptions() {
        try (NDManager m = NDManager.newBaseManager()) {
            Sequential head = VisionModels.createHead(m, 512, 7);
            try (NDScope s = new NDScope()) {
                NDArray x = m.randomNormal(new Shape(2, 512, 7, 7));
                assertEquals(new Shape(2, 7), head.forward(x).getShape());
                head.eval();
                assertEquals(new Shape(2, 7), head.forward(x).getShape());
            }
            // lin_ftrs [256, 128], ps 0.5 -> dropouts 0.25, 0.25, 0.5
            Sequential deep = VisionModels.createHead(m, 64, 3, new int[] {256, 128}, new double[] {0.5}, true);
            List<Float> ps = new ArrayList<>();
            deep.layers().stream().filter(x -> x instanceof Layers.Dropout).forEach(d -> ps.add(((Layers.Dropout) d).p()));
            assertEquals(List.of(0.25f, 0.25f, 0.5f), ps);
            assertEquals(2 + 4 + 4 + 3, deep.size());
            // avg pool, no dropout
            Sequential plain = VisionModels.createHead(m, 64, 3, new int[0], new double[] {0}, false);
            assertEquals(List.of("AdaptiveAvgPool2d", "Flatten"), List.of(plain.get(0).toString(), plain.get(1).toString()));
            assertEquals(4, plain.size());
            assertEquals(64, ((Linear) plain.get(3)).inFeatures());
            assertThrows(IllegalArgumentException.class,
                    () -> VisionModels.createHead(m, 64, 3, new int[] {8}, new double[] {0.1, 0.2, 0.3}, true));
        }
    }

    @Test
    void visionModelKeepsTorchvisionNamesUnderPrefixZero() {
        try (NDManager m = NDManager.newBaseManager()) {
            Sequential model = VisionModels.createVisionModel(m, Arch.RESNET18, 3, 10);
            assertEquals(List.of("0", "1"), new ArrayList<>(model.children().keySet()));
            Map<String, NDArray> sd = model.stateDict();
            for (String n : ResNetTest.RESNET18_STATE) {
                assertEquals(!n.startsWith("fc."), sd.containsKey("0." + n), n);
            }
            assertEquals(120 + 12, sd.size());
            assertTrue(sd.containsKey("0.layer1.0.conv1.weight"));
            assertTrue(sd.containsKey("1.8.weight"));
            assertEquals(11_689_512L - 513_000L + 532_480L, model.parameterCount());
            try (NDScope s = new NDScope()) {
                assertEquals(new Shape(2, 10), model.forward(m.randomNormal(new Shape(2, 3, 64, 64))).getShape());
            }
        }
    }

    @Test
    void everyArchBodyHasItsDeclaredFeatures() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (Arch a : Arch.values()) {
                int nIn = a.isTorchvisionResNet() ? 3 : 1;
                int size = a.isTorchvisionResNet() ? 32 : 28;
                Sequential body = a.createBody(m, nIn);
                body.eval();
                try (NDScope s = new NDScope()) {
                    NDArray y = body.forward(m.randomNormal(new Shape(1, nIn, size, size)));
                    assertEquals(a.numFeatures(), y.getShape().get(1), a.name());
                }
                body.close();
            }
        }
    }

    @Test
    void smallVisionModelsForGreyImages() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (Arch a : List.of(Arch.SMALL_RESNET, Arch.SIMPLE_CNN)) {
                Sequential model = VisionModels.createVisionModel(m, a, 1, 10);
                try (NDScope s = new NDScope()) {
                    assertEquals(new Shape(2, 10), model.forward(m.randomNormal(new Shape(2, 1, 28, 28))).getShape());
                }
            }
        }
    }

    @Test
    void resnetParamGroupsFollowFastaisSplitter() {
        try (NDManager m = NDManager.newBaseManager()) {
            Sequential model = VisionModels.createVisionModel(m, Arch.RESNET34, 3, 4);
            List<List<Parameter>> groups = VisionModels.paramGroups(model);
            assertEquals(3, groups.size());
            Map<Parameter, String> names = namesOf(model);
            assertCoversExactlyOnce(model, groups);
            assertTrue(groups.get(0).stream().allMatch(p -> names.get(p).matches("0\\.(conv1|bn1|layer1|layer2)\\..*")));
            assertTrue(groups.get(1).stream().allMatch(p -> names.get(p).matches("0\\.(layer3|layer4)\\..*")));
            assertTrue(groups.get(2).stream().allMatch(p -> names.get(p).startsWith("1.")));
            assertEquals("0.conv1.weight", names.get(groups.get(0).get(0)));
            assertEquals("0.layer3.0.conv1.weight", names.get(groups.get(1).get(0)));
            assertEquals(6, groups.get(2).size());
            assertTrue(groups.stream().flatMap(List::stream).noneMatch(p -> p.kind() == Parameter.Kind.BUFFER));
        }
    }

    @Test
    void otherParamGroups() {
        try (NDManager m = NDManager.newBaseManager()) {
            Sequential cnn = VisionModels.createVisionModel(m, Arch.SIMPLE_CNN, 1, 10);
            List<List<Parameter>> g = VisionModels.paramGroups(cnn);
            assertEquals(2, g.size());
            assertCoversExactlyOnce(cnn, g);
            assertEquals(cnn.get(1).parameters(), g.get(1));

            Sequential small = VisionModels.createVisionModel(m, Arch.SMALL_RESNET, 1, 10);
            g = VisionModels.paramGroups(small);
            assertEquals(3, g.size());
            assertCoversExactlyOnce(small, g);
            assertEquals("0.layer3.0.conv1.weight", namesOf(small).get(g.get(1).get(0)));

            ResNet plain = ResNet.resnet18(m, 10);
            g = VisionModels.paramGroups(plain);
            assertEquals(3, g.size());
            assertCoversExactlyOnce(plain, g);
            assertEquals(List.of(plain.fc().weight(), plain.fc().bias()), g.get(2));

            assertThrows(IllegalArgumentException.class, () -> VisionModels.paramGroups(new Sequential(Layers.relu())));
        }
    }

    @Test
    void loadsTorchvisionStateIntoTheBody() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> tv = ResNet.resnet18(m, 1000).stateDict(); // a torchvision-named state, fc included
            tv.get("layer3.1.bn2.running_var").muli(3); // values that a fresh model would not have
            Sequential model = VisionModels.createVisionModel(m, Arch.RESNET18, 3, 10);
            NDArray headBefore = model.stateDict().get("1.4.weight").duplicate();
            StateDictReport r = VisionModels.loadTorchvisionWeights(model, tv, true);
            assertTrue(r.isExact(), r.toString());
            Map<String, NDArray> sd = model.stateDict();
            assertEquals(tv.get("layer3.1.bn2.running_var"), sd.get("0.layer3.1.bn2.running_var"));
            assertEquals(tv.get("conv1.weight"), sd.get("0.conv1.weight"));
            assertEquals(tv.get("layer4.1.conv2.weight"), sd.get("0.layer4.1.conv2.weight"));
            assertEquals(headBefore, sd.get("1.4.weight"));

            // extra and mis-shaped tensors are reported in the model's names
            Map<String, NDArray> bad = new LinkedHashMap<>(tv);
            bad.put("foo.weight", m.ones(new Shape(2)));
            bad.put("layer1.0.bn1.bias", m.ones(new Shape(3)));
            StateDictReport r2 = VisionModels.loadTorchvisionWeights(model, bad, false);
            assertEquals(List.of("0.foo.weight"), r2.unexpected());
            assertEquals(1, r2.misShaped().size());
            assertTrue(r2.misShaped().get(0).startsWith("0.layer1.0.bn1.bias"));
            assertTrue(r2.missing().isEmpty());
            assertThrows(IllegalArgumentException.class, () -> VisionModels.loadTorchvisionWeights(model, bad, true));

            Map<String, NDArray> partial = new LinkedHashMap<>(tv);
            partial.remove("layer2.0.downsample.1.num_batches_tracked");
            assertEquals(List.of("0.layer2.0.downsample.1.num_batches_tracked"),
                    VisionModels.loadTorchvisionWeights(model, partial, false).missing());
        }
    }

    @Test
    void firstConvIsAdaptedLikeFastai() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> tv = ResNet.resnet18(m, 1000).stateDict();
            NDArray w = tv.get("conv1.weight");
            Sequential grey = VisionModels.createVisionModel(m, Arch.RESNET18, 1, 2);
            assertTrue(VisionModels.loadTorchvisionWeights(grey, tv, true).isExact());
            NDArray got = grey.stateDict().get("0.conv1.weight");
            assertEquals(new Shape(64, 1, 7, 7), got.getShape());
            assertTrue(got.allClose(w.sum(new int[] {1}, true), 1e-5, 1e-6, false));

            Sequential two = VisionModels.createVisionModel(m, Arch.RESNET18, 2, 2);
            VisionModels.loadTorchvisionWeights(two, tv, true);
            assertTrue(two.stateDict().get("0.conv1.weight").allClose(w.get(":, :2").mul(1.5f), 1e-5, 1e-6, false));

            Sequential five = VisionModels.createVisionModel(m, Arch.RESNET18, 5, 2);
            VisionModels.loadTorchvisionWeights(five, tv, true);
            NDArray w5 = five.stateDict().get("0.conv1.weight");
            assertEquals(w, w5.get(":, :3"));
            assertEquals(0f, w5.get(":, 3:").abs().max().getFloat());
        }
    }

    @Test
    void fastaiSavedNamesAreRenamed() {
        try (NDManager m = NDManager.newBaseManager()) {
            Sequential model = VisionModels.createVisionModel(m, Arch.RESNET18, 3, 10);
            List<String> order = List.of("conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4");
            Map<String, NDArray> fastai = new LinkedHashMap<>();
            model.stateDict().forEach((n, v) -> {
                String k = n;
                for (int i = 0; i < order.size(); i++) {
                    if (n.startsWith("0." + order.get(i) + ".")) {
                        k = "0." + i + n.substring(2 + order.get(i).length());
                    }
                }
                fastai.put(k, v);
            });
            assertTrue(fastai.containsKey("0.0.weight"));
            assertTrue(fastai.containsKey("0.4.0.conv1.weight"));
            assertTrue(fastai.containsKey("0.7.1.bn2.num_batches_tracked"));
            Map<String, NDArray> renamed = VisionModels.renameFastaiResNetKeys(fastai);
            assertEquals(new ArrayList<>(model.stateDict().keySet()), new ArrayList<>(renamed.keySet()));
            assertTrue(model.loadStateDict(renamed, true).isExact());
            assertFalse(renamed.containsKey("0.0.weight"));
        }
    }

    private static Map<Parameter, String> namesOf(Module model) {
        Map<Parameter, String> names = new IdentityHashMap<>();
        model.namedParameters().forEach((n, p) -> names.put(p, n));
        return names;
    }

    private static void assertCoversExactlyOnce(Module model, List<List<Parameter>> groups) {
        Map<Parameter, Integer> seen = new IdentityHashMap<>();
        groups.forEach(g -> g.forEach(p -> seen.merge(p, 1, Integer::sum)));
        List<Parameter> all = model.parameters();
        assertEquals(all.size(), groups.stream().mapToInt(List::size).sum());
        for (Parameter p : all) {
            assertEquals(1, seen.getOrDefault(p, 0), p.toString());
        }
        assertEquals(all.size(), seen.size());
    }
}
