package ai.fastai4j.vision.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.fastai4j.data.BatchTransform;
import ai.fastai4j.data.DataException;
import ai.fastai4j.data.DataLoaderOptions;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.data.ItemTransform;
import ai.fastai4j.export.ExportRegistry;
import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.export.Manifest;
import ai.fastai4j.export.ModelExport;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.learner.Prediction;
import ai.fastai4j.nn.ModelSpec;
import ai.fastai4j.vision.Image;
import ai.fastai4j.vision.Normalize;
import ai.fastai4j.vision.Resize;
import ai.fastai4j.vision.VisionLearners;
import ai.fastai4j.vision.models.Arch;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A small image classifier survives export: same predictions, bad input handled, safe under concurrency. */
class VisionExportTest {

    /** A noisy image, reddish for "red" and bluish for "blue", of the given size. */
    static Image image(String label, int h, int w, int channels, Random r) {
        byte[] px = new byte[h * w * channels];
        boolean red = label.equals("red");
        for (int i = 0; i < h * w; i++) {
            int a = 150 + r.nextInt(100);
            int b = r.nextInt(80);
            if (channels == 1) {
                px[i] = (byte) (red ? a : b);
            } else {
                px[3 * i] = (byte) (red ? a : b);
                px[3 * i + 1] = (byte) r.nextInt(100);
                px[3 * i + 2] = (byte) (red ? b : a);
            }
        }
        return new Image(h, w, channels, px);
    }

    /** A learner fitted one epoch on 12 images (4 validate), its files on disk and the predictions to match. */
    private static final class Rig implements AutoCloseable {
        final DataLoaders dls;
        final Learner learn;
        final List<Path> pngs = new ArrayList<>();

        Rig(Path dir, int channels, Arch arch, ItemTransform resize, List<BatchTransform> batchTfms) throws Exception {
            Random r = new Random(5);
            List<Image> trainX = new ArrayList<>();
            List<String> trainY = new ArrayList<>();
            List<Image> validX = new ArrayList<>();
            List<String> validY = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String label = i % 2 == 0 ? "red" : "blue";
                Image img = image(label, 32, 32, channels, r);
                (i < 12 ? trainX : validX).add(img);
                (i < 12 ? trainY : validY).add(label);
            }
            dls = ai.fastai4j.vision.ImageDataLoaders.fromImages(trainX, trainY, validX, validY,
                    DataLoaderOptions.defaults(4).withWorkers(1), List.of(resize), batchTfms);
            learn = VisionLearners.builder(dls, arch).pretrained(false).learner(b -> b.progress(false)).build();
            learn.fit(1, 1e-2);
            for (int i = 0; i < validX.size(); i++) {
                pngs.add(write(validX.get(i).toBufferedImage(), dir.resolve("valid-" + i + ".png")));
            }
            // other sizes, so that the resize matters
            pngs.add(write(image("red", 40, 30, channels, r).toBufferedImage(), dir.resolve("red-40x30.png")));
            pngs.add(write(image("blue", 25, 50, channels, r).toBufferedImage(), dir.resolve("blue-25x50.png")));
        }

        @Override
        public void close() {
            try {
                learn.close();
            } finally {
                dls.close();
            }
        }
    }

    static Path write(BufferedImage img, Path file) throws Exception {
        ImageIO.write(img, "png", file.toFile());
        return file;
    }

    @Test
    void rgbClassifierRoundTripWithTheGlobalRegistry(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("colours.fai");
        try (Rig rig = new Rig(dir, 3, Arch.SIMPLE_CNN, Resize.squish(28), List.of(Normalize.imagenet()))) {
            ModelExport.export(rig.learn, file);
            try (InferenceModel model = InferenceModel.load(file)) {
                Manifest m = model.manifest();
                assertEquals("single_label_classification", m.task());
                assertEquals(List.of("blue", "red"), model.vocab());
                assertEquals(new ModelSpec("vision_model", Map.of("arch", "SIMPLE_CNN", "n_in", 3, "n_out", 2)),
                        m.model());
                assertEquals(List.of(new Manifest.Component("image", Map.of("channels", 3))), m.inputs());
                assertEquals(List.of(new Manifest.Component("resize", Map.of("height", 28, "width", 28, "method", "SQUISH"))),
                        m.itemTransforms());
                assertEquals(List.of("int_to_float", "normalize"),
                        m.batchTransforms().stream().map(Manifest.Component::name).toList());
                assertEquals(List.of(0.485, 0.456, 0.406),
                        m.batchTransforms().get(1).params().get("mean"));
                assertEquals(rig.learn.model().stateDict().size(), m.weights().tensors());

                for (Path png : rig.pngs) {
                    Prediction want = rig.learn.predict(png);
                    Prediction got = model.predict(png);
                    assertEquals(want.label(), got.label(), png.toString());
                    assertEquals(want.decision(), got.decision());
                    assertArrayEquals(want.probs(), got.probs(), 0f, "exactly the same probabilities for " + png);
                    // the same picture as encoded bytes or as a Java2D image
                    assertArrayEquals(got.probs(), model.predict(Files.readAllBytes(png)).probs(), 0f);
                    assertArrayEquals(got.probs(), model.predict(ImageIO.read(png.toFile())).probs(), 0f);
                }
                List<Prediction> batch = model.predictBatch(rig.pngs);
                for (int i = 0; i < rig.pngs.size(); i++) {
                    assertArrayEquals(model.predict(rig.pngs.get(i)).probs(), batch.get(i).probs(), 1e-5f);
                }

                // not an image, a corrupt image, a missing file: clear errors, and the model keeps working
                Path text = Files.writeString(dir.resolve("notes.png"), "these are not pixels");
                DataException e = assertThrows(DataException.class, () -> model.predict(text));
                assertTrue(e.getMessage().contains("notes.png") && e.getMessage().contains("not an image"), e.getMessage());
                byte[] png = Files.readAllBytes(rig.pngs.get(0));
                Path broken = Files.write(dir.resolve("broken.png"), Arrays.copyOf(png, png.length / 3));
                e = assertThrows(DataException.class, () -> model.predict(broken));
                assertTrue(e.getMessage().contains("broken.png"), e.getMessage());
                e = assertThrows(DataException.class, () -> model.predict(dir.resolve("absent.png")));
                assertTrue(e.getMessage().contains("absent.png"), e.getMessage());
                e = assertThrows(DataException.class, () -> model.predict(42));
                assertTrue(e.getMessage().contains("cannot make an image"), e.getMessage());
                assertArrayEquals(rig.learn.predict(rig.pngs.get(1)).probs(), model.predict(rig.pngs.get(1)).probs(), 0f);
            }
        }
    }

    @Test
    void aModelTrainedWithoutAResizeResizesItsInputsToTheTrainingSize(@TempDir Path dir) throws Exception {
        Random r = new Random(3);
        List<Image> x = new ArrayList<>();
        List<String> y = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            x.add(image(i % 2 == 0 ? "red" : "blue", 32, 32, 3, r));
            y.add(i % 2 == 0 ? "red" : "blue");
        }
        Path file = dir.resolve("sized.fai");
        Image icon = image("red", 8, 8, 3, r);
        try (DataLoaders dls = ai.fastai4j.vision.ImageDataLoaders.fromImages(x, y, x, y,
                DataLoaderOptions.defaults(4).withWorkers(1), List.of(), List.of());
                Learner learn = VisionLearners.builder(dls, Arch.SIMPLE_CNN).pretrained(false)
                        .learner(b -> b.progress(false)).build()) {
            learn.fit(1, 1e-2);
            ModelExport.export(learn, file);
            try (InferenceModel model = InferenceModel.load(file)) {
                assertEquals(List.of(new Manifest.Component("resize", Map.of("height", 32, "width", 32,
                        "method", "SQUISH"))), model.manifest().itemTransforms());
                Image in = (Image) model.prepare(icon).sample().get(0);
                assertEquals(List.of(32, 32), List.of(in.height(), in.width()));
                // as if the icon had been resized by hand to the training size first
                Image byHand = (Image) Resize.squish(32).apply(List.of(icon), ai.fastai4j.data.Split.VALID,
                        new Random(0)).get(0);
                assertArrayEquals(model.predict(byHand).probs(), model.predict(icon).probs(), 0f);
                assertArrayEquals(learn.predict(icon).probs(), model.predict(icon).probs(), 1e-6f);
            }
        }
    }

    /** Parameters that disagree, or a resize no input should cost, are refused when the file loads. */
    @Test
    void disagreeingOrHugeParametersAreRefusedOnLoading(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ok.fai");
        try (Rig rig = new Rig(dir, 3, Arch.SIMPLE_CNN, Resize.squish(28), List.of())) {
            ModelExport.export(rig.learn, file);
        }
        String channels1 = editManifest(file, dir.resolve("grey.fai"), "\"channels\"\\s*:\\s*3", "\"channels\": 1");
        ai.fastai4j.export.ModelFileException e = assertThrows(ai.fastai4j.export.ModelFileException.class,
                () -> InferenceModel.load(Path.of(channels1)));
        assertTrue(e.getMessage().contains("the image block gives 1 channels but the model takes n_in = 3"),
                e.getMessage());
        String huge = editManifest(file, dir.resolve("huge.fai"), "\"height\"\\s*:\\s*28", "\"height\": 100000");
        e = assertThrows(ai.fastai4j.export.ModelFileException.class, () -> InferenceModel.load(Path.of(huge)));
        assertTrue(e.getMessage().contains("'height' must be at most 4096, got 100000"), e.getMessage());
    }

    /** A copy of {@code src} whose manifest has the first match of regex {@code from} replaced; returns its path. */
    private static String editManifest(Path src, Path dst, String from, String to) throws Exception {
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(src.toFile());
                java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(Files.newOutputStream(dst))) {
            for (java.util.zip.ZipEntry e : Collections.list(z.entries())) {
                byte[] b = z.getInputStream(e).readAllBytes();
                if (e.getName().equals("manifest.json")) {
                    String json = new String(b, java.nio.charset.StandardCharsets.UTF_8);
                    String edited = json.replaceFirst(from, to);
                    assertTrue(!edited.equals(json), json);
                    b = edited.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                }
                out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                out.write(b);
                out.closeEntry();
            }
        }
        return dst.toString();
    }

    @Test
    void eightThreadsGiveTheSequentialAnswers(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("threads.fai");
        try (Rig rig = new Rig(dir, 3, Arch.SIMPLE_CNN, Resize.squish(28), List.of(Normalize.imagenet()))) {
            ModelExport.export(rig.learn, file);
        }
        Path text = Files.writeString(dir.resolve("junk.png"), "junk");
        List<Path> inputs;
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            inputs = s.filter(p -> p.toString().endsWith(".png") && !p.equals(text)).sorted().toList();
        }
        try (InferenceModel model = InferenceModel.load(file)) {
            List<Prediction> sequential = new ArrayList<>();
            for (Path p : inputs) {
                sequential.add(model.predict(p));
            }
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<List<Prediction>>> futures = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int shift = t;
                    futures.add(pool.submit(() -> {
                        List<Prediction> out = new ArrayList<>(Collections.nCopies(inputs.size(), null));
                        for (int round = 0; round < 3; round++) {
                            for (int i = 0; i < inputs.size(); i++) {
                                int j = (i + shift) % inputs.size();
                                out.set(j, model.predict(inputs.get(j)));
                                if ((i + shift) % 5 == 0) {
                                    // bad input on some threads, mid-stream
                                    assertThrows(DataException.class, () -> model.predict(text));
                                }
                            }
                        }
                        return out;
                    }));
                }
                for (Future<List<Prediction>> f : futures) {
                    List<Prediction> got = f.get();
                    for (int i = 0; i < inputs.size(); i++) {
                        assertEquals(sequential.get(i).label(), got.get(i).label());
                        assertArrayEquals(sequential.get(i).probs(), got.get(i).probs(), 0f, inputs.get(i).toString());
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void greyResNetWithCenterCrop(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("grey.fai");
        try (Rig rig = new Rig(dir, 1, Arch.SMALL_RESNET, Resize.crop(28), List.of(Normalize.mnist()))) {
            ModelExport.export(rig.learn, file);
            try (InferenceModel model = InferenceModel.load(file)) {
                assertEquals(List.of(new Manifest.Component("image", Map.of("channels", 1))), model.manifest().inputs());
                assertEquals("CROP", model.manifest().itemTransforms().get(0).params().get("method"));
                for (Path png : rig.pngs) {
                    assertArrayEquals(rig.learn.predict(png).probs(), model.predict(png).probs(), 0f, png.toString());
                }
            }
        }
    }

    @Test
    void visionEntriesAreFoundThroughServiceLoader() {
        ExportRegistry r = ExportRegistry.withDefaults();
        assertTrue(r.blockIds().contains("image"), r.blockIds().toString());
        assertTrue(r.itemTransformIds().contains("resize"));
        assertTrue(r.batchTransformIds().containsAll(List.of("int_to_float", "normalize")));
        assertTrue(r.modelFactoryNames().contains("vision_model"));
    }
}
