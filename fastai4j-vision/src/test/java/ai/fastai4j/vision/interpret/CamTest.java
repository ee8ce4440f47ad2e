package ai.fastai4j.vision.interpret;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.fastai4j.data.DataLoaderOptions;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.interpret.Cam;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.nn.Conv2d;
import ai.fastai4j.nn.Layers;
import ai.fastai4j.nn.Linear;
import ai.fastai4j.nn.Parameter;
import ai.fastai4j.nn.Sequential;
import ai.fastai4j.vision.Image;
import ai.fastai4j.vision.ImageDataLoaders;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CamTest {
    static final int SIZE = 64;

    /** The first trouser of the bundled Fashion-MNIST sample (28x28 grey). */
    static Image garment() throws IOException {
        try (InputStream in = CamTest.class.getClassLoader()
                .getResourceAsStream(ai.fastai4j.data.external.URLs.FASHION_MNIST_SAMPLE_RESOURCE);
                ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                if (e.getName().contains("/train/trouser/") && e.getName().endsWith(".png")) {
                    return Image.fromBufferedImage(ImageIO.read(zip), 1);
                }
            }
        }
        throw new IllegalStateException("no trouser in the sample");
    }

    /** The garment pasted into quadrant {@code q} (0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right). */
    static Image canvas(Image g, int q) {
        byte[] px = new byte[SIZE * SIZE];
        int oy = (q / 2) * SIZE / 2 + 2;
        int ox = (q % 2) * SIZE / 2 + 2;
        for (int y = 0; y < g.height(); y++) {
            System.arraycopy(g.pixels(), y * g.width(), px, (oy + y) * SIZE + ox, g.width());
        }
        return new Image(SIZE, SIZE, 1, px);
    }

    static void fill(NDManager m, Parameter p, float v) {
        p.copyFrom(m.full(p.data().getShape(), v));
    }

    /** Body: two stride-2 3x3 convolutions with ReLU (a 16x16 map); head: average pool, flatten, linear. */
    static Sequential model(NDManager m, boolean constant) {
        Engine.getInstance().setRandomSeed(11);
        Conv2d c1 = new Conv2d(m, 1, 4, 3, 2, 1, false);
        Conv2d c2 = new Conv2d(m, 4, 4, 3, 2, 1, false);
        Linear fc = new Linear(m, 4, 2, true);
        if (constant) {
            fill(m, c1.weight(), 1f / 9);
            fill(m, c2.weight(), 1f / 36);
            fc.weight().copyFrom(m.create(new float[] {-1, -1, -1, -1, 1, 1, 1, 1}, new ai.djl.ndarray.types.Shape(2, 4)));
        }
        Sequential body = new Sequential(c1, Layers.relu(), c2, Layers.relu());
        Sequential head = new Sequential(Layers.adaptiveAvgPool2d(1), Layers.flatten(), fc);
        return new Sequential(body, head);
    }

    static DataLoaders loaders(Image g) {
        List<Image> imgs = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int q = 0; q < 4; q++) {
            imgs.add(canvas(g, q));
            labels.add(q % 2 == 0 ? "left" : "right");
        }
        return ImageDataLoaders.fromImages(imgs, labels, imgs, labels, DataLoaderOptions.defaults(4).withWorkers(0),
                List.of(), List.of());
    }

    static int quadrant(int[] rowCol) {
        return (rowCol[0] >= SIZE / 2 ? 2 : 0) + (rowCol[1] >= SIZE / 2 ? 1 : 0);
    }

    @Test
    void heatmapOfAGarmentPeaksInItsQuadrant(@TempDir Path dir) throws IOException {
        Image g = garment();
        try (NDManager m = NDManager.newBaseManager(); DataLoaders dls = loaders(g)) {
            Sequential model = model(m, true);
            try (Learner learn = Learner.builder(dls, model).progress(false).build()) {
                for (int q = 0; q < 4; q++) {
                    Cam.Heatmap h = Cam.gradCam(learn, canvas(g, q), 1);
                    assertEquals(16, h.rows());
                    assertEquals(16, h.cols());
                    assertEquals(q, quadrant(h.peak()), "Grad-CAM peak " + java.util.Arrays.toString(h.peak()));
                    assertEquals(q, quadrant(Cam.cam(learn, canvas(g, q), 1).peak()), "CAM peak");
                    // the class with negative weights sees nothing anywhere: ReLU of a negative map
                    for (float v : Cam.gradCam(learn, canvas(g, q), 0).values()) {
                        assertEquals(0f, v, 0f);
                    }
                }
                Path png = Cam.gradCam(learn, canvas(g, 3), 1).writePng(dir.resolve("cam.png"));
                BufferedImage img = ImageIO.read(png.toFile());
                assertEquals(192, img.getWidth(), "64 px enlarged 3x (the largest factor within 224)");
            }
        }
    }

    /**
     * With average pooling and a linear head, d score / d A_k(i, j) = W[c, k] / (H W), so Grad-CAM is exactly
     * ReLU(CAM) / (H W): a check of the backward hook against the weights, for random weights.
     */
    @Test
    void gradCamEqualsReluOfCamOverMapSizeForAPoolingLinearHead() throws IOException {
        Image g = garment();
        try (NDManager m = NDManager.newBaseManager(); DataLoaders dls = loaders(g)) {
            Sequential model = model(m, false);
            try (Learner learn = Learner.builder(dls, model).progress(false).build()) {
                int live = liveArrays();
                for (int cls = 0; cls < 2; cls++) {
                    Cam.Heatmap grad = Cam.gradCam(learn, canvas(g, 1), cls);
                    Cam.Heatmap cam = Cam.cam(learn, canvas(g, 1), cls);
                    float[] expected = new float[cam.values().length];
                    for (int i = 0; i < expected.length; i++) {
                        expected[i] = Math.max(0, cam.values()[i]) / (16 * 16);
                    }
                    assertArrayEquals(expected, grad.values(), 1e-6f);
                }
                assertEquals(live, liveArrays(), "no arrays left behind");
                for (Parameter p : model.parameters()) {
                    NDArray gr = p.data().getGradient();
                    assertEquals(0f, gr.abs().sum().getFloat(), 0f, "gradients zeroed after Grad-CAM");
                    gr.close();
                }
                Sequential noCam = new Sequential(model.get(0), new Sequential(Layers.adaptiveConcatPool2d(),
                        Layers.flatten(), new Linear(m, 8, 2, true)));
                try (Learner other = Learner.builder(dls, noCam).progress(false).build()) {
                    assertThrows(IllegalArgumentException.class, () -> Cam.cam(other, canvas(g, 0), 1));
                }
            }
        }
    }

    static int liveArrays() {
        try (NDManager probe = NDManager.newBaseManager()) {
            return probe.getParentManager().getManagedArrays().size();
        }
    }

    static boolean exists(Path p) {
        return Files.exists(p);
    }
}
