package ai.fastai4j.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotsTest {

    @TempDir
    Path dir;

    static BufferedImage readPng(Path p) throws IOException {
        assertTrue(Files.isRegularFile(p), "missing " + p);
        BufferedImage img = ImageIO.read(p.toFile());
        assertNotNull(img, "not a readable image: " + p);
        return img;
    }

    static void assertNonUniform(BufferedImage img) {
        int first = img.getRGB(0, 0);
        int differing = 0;
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                if (img.getRGB(x, y) != first) {
                    differing++;
                }
            }
        }
        assertTrue(differing > 100, "image looks uniform (" + differing + " differing samples)");
    }

    static double[] fakeLosses(int n, double start, double end) {
        double[] l = new double[n];
        for (int i = 0; i < n; i++) {
            double t = i / (double) Math.max(1, n - 1);
            l[i] = end + (start - end) * Math.exp(-4 * t) + 0.05 * Math.sin(i * 0.7);
        }
        return l;
    }

    @Test
    void lossPlotWritesPng() throws IOException {
        Path out = dir.resolve("nested/sub/loss.png");
        Path r = Plots.lossPlot(fakeLosses(300, 2.3, 0.3), new double[] {0.9, 0.5, 0.35}, 100, out);
        assertEquals(out, r);
        BufferedImage img = readPng(out);
        assertEquals(Plots.WIDTH, img.getWidth());
        assertEquals(Plots.HEIGHT, img.getHeight());
        assertNonUniform(img);
    }

    @Test
    void lossPlotToleratesNaNAndMissingValid() throws IOException {
        double[] train = fakeLosses(50, 1, 0.5);
        train[3] = Double.NaN;
        train[7] = Double.POSITIVE_INFINITY;
        assertNonUniform(readPng(Plots.lossPlot(train, null, 50, dir.resolve("l1.png"))));
        assertNonUniform(readPng(Plots.lossPlot(new double[0], new double[0], 10, dir.resolve("l2.png"))));
    }

    @Test
    void schedulePlotWritesTwoPanels() throws IOException {
        int n = 200;
        double[] lrs = new double[n];
        double[] moms = new double[n];
        for (int i = 0; i < n; i++) {
            double p = i / (double) (n - 1);
            double c = p < 0.25 ? 0.5 * (1 - Math.cos(Math.PI * p / 0.25)) : 0.5 * (1 + Math.cos(Math.PI * (p - 0.25) / 0.75));
            lrs[i] = 4e-5 + (1e-3 - 4e-5) * c;
            moms[i] = 0.95 - 0.1 * c;
        }
        BufferedImage two = readPng(Plots.schedulePlot(lrs, moms, dir.resolve("sched.png")));
        assertNonUniform(two);
        BufferedImage one = readPng(Plots.schedulePlot(lrs, null, dir.resolve("sched_lr.png")));
        assertNonUniform(one);
        assertTrue(two.getWidth() > one.getWidth(), "two panels should be wider than one");
        assertTrue(two.getWidth() > two.getHeight());
        // constant momentum must not break the axis
        assertNonUniform(readPng(Plots.schedulePlot(lrs, new double[n], dir.resolve("sched_const.png"))));
    }

    @Test
    void lrFindPlotSkipsNonFiniteLosses() throws IOException {
        int n = 100;
        double[] lrs = new double[n];
        double[] losses = new double[n];
        for (int i = 0; i < n; i++) {
            lrs[i] = 1e-7 * Math.pow(10, 7.0 * i / (n - 1));
            double x = Math.log10(lrs[i]);
            losses[i] = 2.3 - 1.5 / (1 + Math.exp(-(x + 4) * 2)) + (x > -1.5 ? Math.pow(x + 1.5, 2) * 3 : 0);
        }
        losses[n - 1] = Double.NaN;
        losses[n - 2] = Double.POSITIVE_INFINITY;
        losses[10] = Double.NEGATIVE_INFINITY;
        Map<String, Double> sugg = new LinkedHashMap<>();
        sugg.put("valley", 1.2e-3);
        sugg.put("slide", 3.5e-3);
        sugg.put("bad", Double.NaN);
        BufferedImage img = readPng(Plots.lrFindPlot(lrs, losses, sugg, dir.resolve("lr_find.png")));
        assertEquals(Plots.WIDTH, img.getWidth());
        assertEquals(Plots.HEIGHT, img.getHeight());
        assertNonUniform(img);
        // all losses NaN and no suggestions: still a PNG, no exception
        double[] nan = new double[n];
        java.util.Arrays.fill(nan, Double.NaN);
        readPng(Plots.lrFindPlot(lrs, nan, null, dir.resolve("lr_nan.png")));
    }

    @Test
    void confusionMatrixPlotWritesHeatMap() throws IOException {
        int[][] cm = {{50, 2, 0}, {3, 40, 7}, {0, 5, 45}};
        BufferedImage img = readPng(Plots.confusionMatrixPlot(cm, List.of("cat", "dog", "bird"), dir.resolve("cm.png")));
        assertTrue(img.getWidth() >= 300 && img.getHeight() >= 300, img.getWidth() + "x" + img.getHeight());
        assertNonUniform(img);
        // long labels and many classes
        int n = 12;
        int[][] big = new int[n][n];
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add("class_with_long_name_" + i);
            for (int j = 0; j < n; j++) {
                big[i][j] = i == j ? 90 + i : (i + j) % 5;
            }
        }
        assertNonUniform(readPng(Plots.confusionMatrixPlot(big, names, true, dir.resolve("cm_big.png"))));
    }
}
