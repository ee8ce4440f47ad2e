package ai.fastai4j.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.fastai4j.data.DataLoader;
import ai.fastai4j.data.DataLoaderOptions;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.ItemTransform;
import ai.fastai4j.data.Split;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.learner.Preds;
import ai.fastai4j.nn.Parameter;
import ai.fastai4j.optim.Slice;
import ai.fastai4j.vision.augment.AugTransforms;
import ai.fastai4j.vision.models.Arch;
import ai.fastai4j.vision.models.VisionModels;
import ai.fastai4j.vision.models.pretrained.PretrainedWeights;
import ai.fastai4j.vision.models.pretrained.WeightsUnavailableException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** vision_learner with pretrained weights, its parameter groups, freezing, TTA and swapping data. */
class VisionLearnersTest {
    @TempDir
    Path dir;

    /** A noisy image, bright in the first channel for "a" and in the last for "b". */
    private static Image image(String label, int size, int channels, Random r) {
        byte[] px = new byte[size * size * channels];
        for (int i = 0; i < size * size; i++) {
            int hi = 150 + r.nextInt(100);
            int lo = r.nextInt(80);
            if (channels == 1) {
                px[i] = (byte) (label.equals("a") ? hi : lo);
            } else {
                px[3 * i] = (byte) (label.equals("a") ? hi : lo);
                px[3 * i + 1] = (byte) r.nextInt(100);
                px[3 * i + 2] = (byte) (label.equals("a") ? lo : hi);
            }
        }
        return new Image(size, size, channels, px);
    }

    private static DataLoaders data(int size, int channels, List<ItemTransform> itemTfms) {
        Random r = new Random(0x5EED_1234L);
        List<Image> tx = new ArrayList<>();
        List<String> ty = new ArrayList<>();
        List<Image> vx = new ArrayList<>();
        List<String> vy = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            String label = i % 2 == 0 ? "a" : "b";
            (i < 16 ? tx : vx).add(image(label, size, channels, r));
            (i < 16 ? ty : vy).add(label);
        }
        return ImageDataLoaders.fromImages(tx, ty, vx, vy, DataLoaderOptions.defaults(8).withWorkers(1), itemTfms,
                List.of());
    }

    private static Map<String, float[]> floats(Map<String, NDArray> sd) {
        Map<String, float[]> out = new LinkedHashMap<>();
        sd.forEach((k, v) -> {
            if (v.getDataType() == DataType.FLOAT32) {
                out.put(k, v.toFloatArray());
            }
        });
        return out;
    }

    /** A SMALL_RESNET body trained briefly and saved with {@link VisionModels#saveBody}. */
    private Path pretrainedBody(Path file) throws Exception {
        try (DataLoaders dls = data(16, 1, List.of());
                Learner learn = VisionLearners.builder(dls, Arch.SMALL_RESNET).learner(b -> b.progress(false))
                        .build()) {
            learn.fit(1, 1e-2);
            VisionModels.saveBody(learn.model(), file);
        }
        return file;
    }

    @Test
    void scratchByDefaultWithoutPublishedWeights() {
        try (DataLoaders dls = data(16, 1, List.of());
                Learner learn = VisionLearners.create(dls, Arch.SMALL_RESNET, b -> b.progress(false))) {
            assertFalse(learn.provenance().containsKey(VisionLearners.PRETRAINED_WEIGHTS));
            assertTrue(learn.paramGroups().stream().flatMap(List::stream).allMatch(Parameter::isTrainable),
                    "a learner from scratch starts unfrozen");
            assertFalse(dls.batchTransforms().stream().anyMatch(Normalize.class::isInstance));
        }
    }

    @Test
    void weightsFileLoadsTheBodyFreezesAndNormalises() throws Exception {
        Path body = pretrainedBody(dir.resolve("body.safetensors"));
        Engine.getInstance().setRandomSeed(99);
        try (DataLoaders dls = data(16, 1, List.of());
                Learner learn = VisionLearners.builder(dls, Arch.SMALL_RESNET).weightsFile(body)
                        .normalize(Normalize.mnist()).learner(b -> b.progress(false)).build();
                ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            Map<String, float[]> saved = floats(PretrainedWeights.readStateDict(body, m));
            Map<String, float[]> loaded = floats(learn.model().children().get("0").stateDict());
            assertEquals(saved.keySet(), loaded.keySet());
            saved.forEach((k, v) -> assertArrayEquals(v, loaded.get(k), k));
            assertTrue(((String) learn.provenance().get(VisionLearners.PRETRAINED_WEIGHTS)).startsWith("body.safetensors"));
            assertEquals(1, dls.batchTransforms().stream().filter(Normalize.class::isInstance).count(),
                    "the weights' stats are added to the data once");

            // fastai's _resnet_split: [stem, layer1, layer2], [layer3...], [head]
            Map<String, Parameter> named = learn.model().namedParameters();
            List<List<Parameter>> groups = learn.paramGroups();
            assertEquals(3, groups.size());
            assertTrue(groups.get(0).contains(named.get("0.conv1.weight")));
            assertTrue(groups.get(0).contains(named.get("0.layer2.0.conv1.weight")));
            assertTrue(groups.get(1).contains(named.get("0.layer3.0.conv1.weight")));
            assertFalse(groups.get(1).contains(named.get("0.layer2.0.conv1.weight")));
            assertTrue(groups.get(2).stream().allMatch(p -> named.entrySet().stream()
                    .anyMatch(e -> e.getValue() == p && !e.getKey().startsWith("0."))), "group 2 is the head");
            int total = groups.stream().mapToInt(List::size).sum();
            assertEquals(learn.model().parameters().size(), total, "every parameter in exactly one group");

            // starts frozen: body weights not trainable, body BatchNorm trainable, head trainable
            assertFalse(named.get("0.conv1.weight").isTrainable());
            assertFalse(named.get("0.layer3.0.conv1.weight").isTrainable());
            assertTrue(named.get("0.bn1.weight").isTrainable());
            assertTrue(groups.get(2).stream().allMatch(Parameter::isTrainable));

            // one frozen step: body convolutions stay put, body BatchNorm weights and the head move
            Map<String, float[]> before = floats(learn.model().stateDict());
            learn.fit(1, Slice.of(1e-5, 1e-3));
            double[] lrs = learn.opt().hypers("lr");
            assertEquals(3, lrs.length);
            assertEquals(1e-5, lrs[0], 1e-18);
            assertEquals(1e-4, lrs[1], 1e-16);
            assertEquals(1e-3, lrs[2], 1e-15);
            Map<String, float[]> after = floats(learn.model().stateDict());
            for (String k : List.of("0.conv1.weight", "0.layer1.0.conv1.weight", "0.layer3.0.conv2.weight",
                    "0.layer3.0.downsample.0.weight")) {
                assertArrayEquals(before.get(k), after.get(k), k + " is frozen");
            }
            for (String k : List.of("0.bn1.weight", "0.bn1.bias", "0.layer3.0.bn2.weight")) {
                assertFalse(Arrays.equals(before.get(k), after.get(k)), k + " trains in a frozen body");
            }
            String headWeight = after.keySet().stream().filter(k -> !k.startsWith("0.") && k.endsWith("weight"))
                    .reduce((a, b) -> b).orElseThrow();
            assertFalse(Arrays.equals(before.get(headWeight), after.get(headWeight)), "the head trains");
        }
    }

    @Test
    void registryWeightsFromALocalOverrideAddImagenetStats() throws Exception {
        // a torchvision-named ResNet-18 body, as torch.save would give for torchvision.models.resnet18()
        Path file = dir.resolve("resnet18-f37072fd.pth.safetensors");
        try (DataLoaders dls = data(32, 3, List.of());
                Learner donor = VisionLearners.builder(dls, Arch.RESNET18).pretrained(false).build()) {
            VisionModels.saveBody(donor.model(), file);
        }
        PretrainedWeights.Config config = PretrainedWeights.Config.of(dir.resolve("cache"))
                .withOverrides(List.of(file)).withOffline(true).withProgress(false);
        try (DataLoaders dls = data(32, 3, List.of());
                Learner learn = VisionLearners.builder(dls, Arch.RESNET18).config(config)
                        .learner(b -> b.progress(false)).build()) {
            assertTrue(learn.provenance().get(VisionLearners.PRETRAINED_WEIGHTS).toString().contains("RESNET18"));
            Normalize n = dls.batchTransforms().stream().filter(Normalize.class::isInstance)
                    .map(Normalize.class::cast).findFirst().orElseThrow();
            assertArrayEquals(new float[] {0.485f, 0.456f, 0.406f}, n.mean());
            assertArrayEquals(new float[] {0.229f, 0.224f, 0.225f}, n.std());
            assertFalse(learn.model().namedParameters().get("0.layer4.1.conv2.weight").isTrainable());
        }
        // offline with nothing on disk: a clear error, nothing leaked
        PretrainedWeights.Config empty = PretrainedWeights.Config.of(dir.resolve("cache2")).withOffline(true)
                .withProgress(false);
        try (DataLoaders dls = data(32, 3, List.of())) {
            WeightsUnavailableException e = assertThrows(WeightsUnavailableException.class,
                    () -> VisionLearners.builder(dls, Arch.RESNET18).config(empty).build());
            assertTrue(e.getMessage().contains("resnet18"), e.getMessage());
        }
    }

    @Test
    void weightsThatDoNotFitAreRefusedByName() throws Exception {
        Path body = pretrainedBody(dir.resolve("small.safetensors"));
        try (DataLoaders dls = data(32, 3, List.of())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> VisionLearners.builder(dls, Arch.RESNET18).weightsFile(body).build());
            assertTrue(e.getMessage().contains("small.safetensors") && e.getMessage().contains("missing")
                    && e.getMessage().contains("0.conv1.weight (model (64, 3, 7, 7), file (32, 1, 3, 3))"), e.getMessage());
        }
    }

    @Test
    void ttaMixesAugmentedAndPlainPredictionsAsFastai() {
        AugTransforms aug = AugTransforms.builder().maxRotate(30).maxLighting(0.4).build();
        try (DataLoaders dls = data(16, 1, List.of(aug));
                Learner learn = VisionLearners.builder(dls, Arch.SIMPLE_CNN).learner(b -> b.progress(false))
                        .build()) {
            learn.fit(1, 1e-2);
            int n = 3;
            double beta = 0.25;
            try (Preds tta = learn.tta(dls.valid(), n, beta); Preds plain = learn.getPreds()) {
                DataLoader augmented = dls.valid().withSplitMode(Split.TRAIN);
                float[] sum = new float[(int) plain.probs().size()];
                boolean differs = false;
                for (int i = 0; i < n; i++) {
                    try (Preds p = learn.getPreds(augmented)) {
                        float[] v = p.probs().toFloatArray();
                        differs |= !Arrays.equals(v, plain.probs().toFloatArray());
                        for (int j = 0; j < v.length; j++) {
                            sum[j] += v[j];
                        }
                    }
                }
                assertTrue(differs, "augmented passes see augmented images");
                float[] want = new float[sum.length];
                float[] pl = plain.probs().toFloatArray();
                for (int j = 0; j < want.length; j++) {
                    want[j] = (float) (sum[j] / n * (1 - beta) + pl[j] * beta);
                }
                assertArrayEquals(want, tta.probs().toFloatArray(), 1e-6f);
                assertArrayEquals(plain.targets().toLongArray(), tta.targets().toLongArray());
                assertEquals(8, tta.decoded().size());
                assertEquals(null, tta.losses());
            }
        }
    }

    @Test
    void progressiveResizingKeepsTheModelAndSwapsTheData() {
        try (DataLoaders small = data(12, 1, List.of());
                DataLoaders large = data(24, 1, List.of());
                Learner learn = VisionLearners.builder(small, Arch.SMALL_RESNET).learner(b -> b.progress(false))
                        .build()) {
            learn.fit(1, 1e-2);
            Map<String, float[]> w = floats(learn.model().stateDict());
            learn.setDls(large);
            assertEquals(large, learn.dls());
            try (Preds p = learn.getPreds()) {
                assertEquals(8, p.probs().getShape().get(0));
            }
            assertArrayEquals(w.get("0.conv1.weight"),
                    floats(learn.model().stateDict()).get("0.conv1.weight"), "same weights after the swap");
            learn.fit(1, 1e-3);
            assertFalse(Arrays.equals(w.get("0.conv1.weight"), floats(learn.model().stateDict()).get("0.conv1.weight")),
                    "training goes on at the larger size");
        }
        try (DataLoaders ab = data(12, 1, List.of());
                DataLoaders other = ImageDataLoaders.fromImages(List.of(image("a", 12, 1, new Random(1)),
                        image("b", 12, 1, new Random(2))), List.of("x", "y"), List.of(image("a", 12, 1, new Random(3))),
                        List.of("x"), DataLoaderOptions.defaults(2).withWorkers(0), List.of(), List.of());
                Learner learn = VisionLearners.create(ab, Arch.SIMPLE_CNN, b -> b.progress(false))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> learn.setDls(other));
            assertTrue(e.getMessage().contains("[x, y]"), e.getMessage());
        }
    }
}
