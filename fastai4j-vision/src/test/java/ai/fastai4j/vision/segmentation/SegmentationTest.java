package ai.fastai4j.vision.segmentation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.fastai4j.data.DataException;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.Splitters;
import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.learner.Prediction;
import ai.fastai4j.metrics.Metrics;
import ai.fastai4j.nn.Parameter;
import ai.fastai4j.vision.Mask;
import ai.fastai4j.vision.Resize;
import ai.fastai4j.vision.SegmentationDataLoaders;
import ai.fastai4j.vision.VisionLearners;
import ai.fastai4j.vision.models.Arch;
import ai.fastai4j.vision.models.VisionModels;
import ai.fastai4j.vision.models.unet.DynamicUnet;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentationTest {
    static final List<String> CODES = List.of("background", "square", "bar");

    /** {@code n} 24x24 RGB pictures with a bright square (code 1) and a dark bar (code 2); masks as palette PNGs. */
    static List<Path> makeSet(Path dir, int n, long seed) throws IOException {
        Files.createDirectories(dir.resolve("images"));
        Files.createDirectories(dir.resolve("labels"));
        Random r = new Random(seed);
        List<Path> files = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            BufferedImage img = new BufferedImage(24, 24, BufferedImage.TYPE_INT_RGB);
            byte[] codes = new byte[24 * 24];
            int sx = r.nextInt(12);
            int sy = r.nextInt(12);
            int bx = r.nextInt(20);
            for (int y = 0; y < 24; y++) {
                for (int x = 0; x < 24; x++) {
                    int c = x >= sx && x < sx + 10 && y >= sy && y < sy + 10 ? 1 : x >= bx && x < bx + 3 ? 2 : 0;
                    codes[y * 24 + x] = (byte) c;
                    img.setRGB(x, y, c == 1 ? 0xf0e040 : c == 2 ? 0x3030a0 : 0x808080);
                }
            }
            Path f = dir.resolve("images").resolve(k + ".png");
            ImageIO.write(img, "png", f.toFile());
            ImageIO.write(new Mask(24, 24, codes).toPaletteImage(), "png", dir.resolve("labels").resolve(k + ".png")
                    .toFile());
            files.add(f);
        }
        return files;
    }

    static DataLoaders loaders(Path dir, List<Path> files) {
        return SegmentationDataLoaders.fromLabelFunc(dir, files,
                        f -> dir.resolve("labels").resolve(f.getFileName()), CODES)
                .splitter(Splitters.byPredicate(f -> f.getFileName().toString().startsWith("1")))
                .batchSize(4).workers(0).seed(1).itemTfms(Resize.squish(32)).build();
    }

    @Test
    void unetLearnerTrainsExportsAndPredictsTheSameMask(@TempDir Path dir) throws IOException {
        List<Path> files = makeSet(dir, 12, 3);
        Engine.getInstance().setRandomSeed(2);
        try (DataLoaders dls = loaders(dir, files);
                Learner learn = VisionLearners.unetBuilder(dls, Arch.SMALL_RESNET).pretrained(false)
                        .metrics(Metrics.foregroundAcc(), Metrics.diceMulti()).learner(b -> b.progress(false))
                        .build()) {
            assertEquals(3, dls.c(), "one output per code");
            assertInstanceOf(DynamicUnet.class, learn.model());
            assertEquals(3, learn.paramGroups().size(), "fastai's ResNet split: stem..layer2, layer3, decoder");
            learn.fitOneCycle(1, 1e-3);
            try (ai.fastai4j.learner.Preds preds = learn.getPreds()) {
                float[] probs = preds.probs().toFloatArray();
                for (float v : probs) {
                    assertTrue(Float.isFinite(v), "finite probabilities in evaluation mode");
                }
            }
            List<Double> lastEpoch = learn.recorder().values().get(0);
            assertTrue(lastEpoch.stream().allMatch(v -> Double.isFinite(v)), "finite losses and metrics " + lastEpoch);
            Path fai = ai.fastai4j.export.ModelExport.export(learn, dir.resolve("unet.fai"));
            Prediction fromLearner = learn.predict(files.get(0));
            try (InferenceModel model = InferenceModel.load(fai)) {
                Prediction p = model.predict(files.get(0));
                Mask mask = assertInstanceOf(Mask.class, p.label());
                assertEquals(32, mask.height());
                assertEquals(fromLearner.label(), mask, "the learner and the exported model give the same mask");
                assertArrayEquals(fromLearner.probs(), p.probs(), 0f);
                assertEquals(3 * 32 * 32, p.probs().length, "per-class probabilities of every pixel");
                assertEquals(CODES, model.vocab());
            }
        }
    }

    @Test
    void pretrainedEncoderStartsFrozenWithFastaisSplitter(@TempDir Path dir) throws IOException {
        List<Path> files = makeSet(dir, 8, 4);
        try (DataLoaders dls = loaders(dir, files)) {
            Path body = dir.resolve("body.safetensors");
            Map<String, String> encoder;
            try (Learner first = VisionLearners.unetBuilder(dls, Arch.SMALL_RESNET).pretrained(false)
                    .learner(b -> b.progress(false)).build()) {
                VisionModels.saveBody(first.model(), body);
                encoder = snapshot(first.model().children().get("0").stateDict());
            }
            try (Learner learn = VisionLearners.unetBuilder(dls, Arch.SMALL_RESNET).weightsFile(body)
                    .learner(b -> b.progress(false)).build()) {
                assertEquals(encoder, snapshot(learn.model().children().get("0").stateDict()), "encoder loaded");
                List<List<Parameter>> groups = learn.paramGroups();
                for (int g = 0; g < 2; g++) {
                    for (Parameter p : groups.get(g)) {
                        assertEquals(p.kind() == Parameter.Kind.NORM, p.isTrainable(),
                                "frozen encoder (BatchNorm still trains): " + p);
                    }
                }
                assertTrue(groups.get(2).stream().allMatch(Parameter::isTrainable), "decoder trains");
            }
        }
    }

    @Test
    void aMaskWithACodeBeyondTheCodesIsRefusedNamingTheFile(@TempDir Path dir) throws IOException {
        List<Path> files = makeSet(dir, 4, 5);
        byte[] bad = new byte[24 * 24];
        bad[5] = 7;
        Path badMask = dir.resolve("labels").resolve("2.png");
        ImageIO.write(new Mask(24, 24, bad).toBufferedImage(), "png", badMask.toFile());
        DataException e = assertThrows(DataException.class, () -> {
            try (DataLoaders dls = loaders(dir, files)) {
                dls.train().oneBatch();
                dls.valid().oneBatch();
            }
        });
        assertTrue(e.getMessage().contains("2.png") && e.getMessage().contains("code 7"), e.getMessage());
        assertFalse(e.getMessage().isEmpty());
    }

    static Map<String, String> snapshot(Map<String, NDArray> sd) {
        Map<String, String> out = new java.util.TreeMap<>();
        sd.forEach((k, v) -> out.put(k, java.util.Arrays.toString(v.toType(ai.djl.ndarray.types.DataType.FLOAT32,
                false).toFloatArray())));
        return out;
    }
}
