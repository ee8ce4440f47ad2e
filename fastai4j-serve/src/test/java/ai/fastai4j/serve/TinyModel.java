package ai.fastai4j.serve;

import ai.djl.engine.Engine;
import ai.fastai4j.data.DataLoaderOptions;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.export.ModelExport;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.vision.Image;
import ai.fastai4j.vision.ImageDataLoaders;
import ai.fastai4j.vision.Normalize;
import ai.fastai4j.vision.Resize;
import ai.fastai4j.vision.VisionExport;
import ai.fastai4j.vision.VisionLearners;
import ai.fastai4j.vision.models.VisionModels;
import ai.djl.ndarray.NDManager;
import ai.fastai4j.vision.models.Arch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/** Test fixtures: a small red/blue image classifier exported to a {@code .fai} file, and encoded test images. */
final class TinyModel {
    private TinyModel() {}

    /** A noisy image, reddish for "red" and bluish for "blue". */
    static Image image(String label, int h, int w, Random r) {
        byte[] px = new byte[h * w * 3];
        boolean red = label.equals("red");
        for (int i = 0; i < h * w; i++) {
            int a = 150 + r.nextInt(100);
            int b = r.nextInt(80);
            px[3 * i] = (byte) (red ? a : b);
            px[3 * i + 1] = (byte) r.nextInt(100);
            px[3 * i + 2] = (byte) (red ? b : a);
        }
        return new Image(h, w, 3, px);
    }

    /**
     * SIMPLE_CNN on 28x28 squished RGB images with ImageNet normalisation, fitted one epoch on 12 red/blue
     * images (4 to validate), exported to {@code dir/colours.fai}. About a second.
     */
    static Path export(Path dir) {
        return export(dir, 1);
    }

    /** As {@link #export(Path)}, fitted {@code epochs} epochs (0: the initial random weights). */
    static Path export(Path dir, int epochs) {
        Engine.getInstance().setRandomSeed(7);
        Random r = new Random(5);
        List<Image> tx = new ArrayList<>();
        List<String> ty = new ArrayList<>();
        List<Image> vx = new ArrayList<>();
        List<String> vy = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            String label = i % 2 == 0 ? "red" : "blue";
            (i < 12 ? tx : vx).add(image(label, 32, 32, r));
            (i < 12 ? ty : vy).add(label);
        }
        Path file = dir.resolve("colours.fai");
        try (DataLoaders dls = ImageDataLoaders.fromImages(tx, ty, vx, vy, DataLoaderOptions.defaults(4).withWorkers(1),
                List.of(Resize.squish(28)), List.of(Normalize.imagenet()));
                Learner learn = VisionLearners.create(dls, Arch.SIMPLE_CNN, b -> b.progress(false))) {
            if (epochs > 0) {
                learn.fit(epochs, 1e-2);
            }
            ModelExport.export(learn, file);
        }
        return file;
    }

    /**
     * As {@link #export(Path)} with 0 epochs, but a learner built around the model by hand, without the vision
     * learner's resize: a model file with no fixed input size, as files exported before sizes were recorded.
     */
    static Path exportWithoutSize(Path dir) {
        Engine.getInstance().setRandomSeed(7);
        Random r = new Random(5);
        List<Image> tx = new ArrayList<>();
        List<String> ty = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            tx.add(image(i % 2 == 0 ? "red" : "blue", 32, 32, r));
            ty.add(i % 2 == 0 ? "red" : "blue");
        }
        Path file = dir.resolve("unsized.fai");
        try (DataLoaders dls = ImageDataLoaders.fromImages(tx, ty, tx, ty, DataLoaderOptions.defaults(4).withWorkers(1),
                List.of(), List.of(Normalize.imagenet()));
                NDManager m = NDManager.newBaseManager()) {
            Learner learn = Learner.builder(dls, VisionModels.createVisionModel(m, Arch.SIMPLE_CNN, 3, 2))
                    .progress(false).build();
            learn.setModelSpec(new ai.fastai4j.nn.ModelSpec(VisionExport.MODEL_FACTORY,
                    VisionExport.modelParams(Arch.SIMPLE_CNN, 3, 2)));
            ModelExport.export(learn, file);
            learn.close();
        }
        return file;
    }

    /** An image encoded as {@code format} ("png", "jpg", "bmp", "gif"). */
    static byte[] encode(Image img, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(img.toBufferedImage(), format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
