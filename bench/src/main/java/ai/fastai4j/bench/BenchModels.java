package ai.fastai4j.bench;

import ai.djl.engine.Engine;
import ai.fastai4j.data.DataLoaderOptions;
import ai.fastai4j.data.DataLoaders;
import ai.fastai4j.export.ModelExport;
import ai.fastai4j.learner.Learner;
import ai.fastai4j.vision.Image;
import ai.fastai4j.vision.ImageDataLoaders;
import ai.fastai4j.vision.Normalize;
import ai.fastai4j.vision.Resize;
import ai.fastai4j.vision.VisionLearners;
import ai.fastai4j.vision.models.Arch;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/** Models and images for the serving and inference benchmarks: an untrained vision model exported to .fai. */
final class BenchModels {
    private BenchModels() {}

    /**
     * Exports an untrained (random-init, seeded) vision learner: {@code arch} body and fastai's head for
     * {@code classes} classes, RGB input squished to {@code size} x {@code size}, ImageNet normalisation.
     */
    static Path exportVision(Path file, Arch arch, int size, int classes, int seed) {
        Engine.getInstance().setRandomSeed(seed);
        Random r = new Random(seed);
        List<Image> tx = new ArrayList<>();
        List<String> ty = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            tx.add(Image.fromBufferedImage(photo(64, 48, r), 3));
            ty.add(String.format("class%02d", c));
        }
        try (DataLoaders dls = ImageDataLoaders.fromImages(tx, ty, tx.subList(0, 1), ty.subList(0, 1),
                DataLoaderOptions.defaults(2).withWorkers(1), List.of(Resize.squish(size)),
                List.of(Normalize.imagenet()));
                Learner learn = VisionLearners.builder(dls, arch).pretrained(false)
                        .learner(b -> b.progress(false)).build()) {
            return ModelExport.export(learn, file);
        }
    }

    /** A synthetic photo: a colour gradient, a few shapes, mild noise (compresses like a photo, ~20-60 KB JPEG). */
    static BufferedImage photo(int w, int h, Random r) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        g.setPaint(new GradientPaint(0, 0, new Color(r.nextInt(0xffffff)), w, h, new Color(r.nextInt(0xffffff))));
        g.fillRect(0, 0, w, h);
        for (int i = 0; i < 6; i++) {
            g.setColor(new Color(r.nextInt(0xffffff)));
            int x = r.nextInt(w);
            int y = r.nextInt(h);
            if (r.nextBoolean()) {
                g.fillOval(x - w / 8, y - h / 8, 1 + r.nextInt(w / 3), 1 + r.nextInt(h / 3));
            } else {
                g.fillRect(x - w / 8, y - h / 8, 1 + r.nextInt(w / 3), 1 + r.nextInt(h / 3));
            }
        }
        g.dispose();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                int n = r.nextInt(17) - 8;
                int red = clamp(((rgb >> 16) & 0xff) + n);
                int green = clamp(((rgb >> 8) & 0xff) + n);
                int blue = clamp((rgb & 0xff) + n);
                img.setRGB(x, y, (red << 16) | (green << 8) | blue);
            }
        }
        return img;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    /** {@code img} encoded as {@code format} ("jpg", "png"). */
    static byte[] encode(BufferedImage img, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(img, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The 1-, 5- and 15-minute load averages, or "?" off Linux. */
    static String load() {
        try {
            String[] f = java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }
}
