package ai.fastai4j.plot;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

/**
 * Heat maps as pictures: matplotlib's viridis and magma colour maps, a value grid drawn as an image (fastai's
 * {@code imshow}), and a map laid semi-transparently over a picture (class activation maps, predicted masks).
 */
public final class Heatmaps {
    static {
        Headless.ensure();
    }

    private Heatmaps() {}

    // matplotlib's viridis and magma at 9 evenly spaced points; linear in between
    private static final int[] VIRIDIS = {0x440154, 0x472d7b, 0x3b528b, 0x2c728e, 0x21918c, 0x28ae80, 0x5ec962,
        0xaddc30, 0xfde725};
    private static final int[] MAGMA = {0x000004, 0x1c1044, 0x4f127b, 0x812581, 0xb5367a, 0xe55064, 0xfb8761,
        0xfec287, 0xfcfdbf};

    /** Colour maps. */
    public enum Colormap {
        VIRIDIS(Heatmaps.VIRIDIS), MAGMA(Heatmaps.MAGMA);

        private final int[] anchors;

        Colormap(int[] anchors) {
            this.anchors = anchors;
        }

        /** The RGB colour of {@code t} in [0, 1] (clamped). */
        public int rgb(double t) {
            double v = Double.isNaN(t) ? 0 : Math.max(0, Math.min(1, t)) * (anchors.length - 1);
            int i = Math.min((int) v, anchors.length - 2);
            double f = v - i;
            int a = anchors[i];
            int b = anchors[i + 1];
            int r = (int) Math.round(((a >> 16) & 0xff) * (1 - f) + ((b >> 16) & 0xff) * f);
            int g = (int) Math.round(((a >> 8) & 0xff) * (1 - f) + ((b >> 8) & 0xff) * f);
            int bl = (int) Math.round((a & 0xff) * (1 - f) + (b & 0xff) * f);
            return (r << 16) | (g << 8) | bl;
        }
    }

    /**
     * {@code values} (row-major, {@code rows x cols}) as an image scaled to [min, max], each value a
     * {@code scale x scale} block; {@code originLower} puts row 0 at the bottom as matplotlib's
     * {@code origin='lower'}.
     */
    public static BufferedImage image(float[] values, int rows, int cols, Colormap cmap, int scale,
            boolean originLower) {
        checkSize(values, rows, cols);
        float[] mm = minMax(values);
        BufferedImage img = new BufferedImage(cols * scale, rows * scale, BufferedImage.TYPE_INT_RGB);
        for (int r = 0; r < rows; r++) {
            int y0 = (originLower ? rows - 1 - r : r) * scale;
            for (int c = 0; c < cols; c++) {
                int rgb = cmap.rgb(norm(values[r * cols + c], mm));
                for (int dy = 0; dy < scale; dy++) {
                    for (int dx = 0; dx < scale; dx++) {
                        img.setRGB(c * scale + dx, y0 + dy, rgb);
                    }
                }
            }
        }
        return img;
    }

    /**
     * {@code map} ({@code rows x cols}, any range) resized bilinearly to the picture's size, scaled to [0, 1] and
     * blended over it with weight {@code alpha} (fastai's {@code ax.imshow(cam, alpha=0.6, extent=...)}).
     */
    public static BufferedImage overlay(BufferedImage picture, float[] map, int rows, int cols, Colormap cmap,
            double alpha) {
        checkSize(map, rows, cols);
        int w = picture.getWidth();
        int h = picture.getHeight();
        float[] up = resizeBilinear(map, rows, cols, h, w);
        float[] mm = minMax(up);
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = picture.getRGB(x, y);
                int c = cmap.rgb(norm(up[y * w + x], mm));
                out.setRGB(x, y, blend(p, c, alpha));
            }
        }
        return out;
    }

    /**
     * A mask picture laid over {@code picture} at half opacity where it is not black (black, code 0, is usually
     * the background and leaves the picture as it is).
     */
    public static BufferedImage overlayMask(BufferedImage picture, BufferedImage mask) {
        int w = picture.getWidth();
        int h = picture.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = picture.getRGB(x, y) & 0xffffff;
                int m = x < mask.getWidth() && y < mask.getHeight() ? mask.getRGB(x, y) & 0xffffff : 0;
                out.setRGB(x, y, m == 0 ? p : blend(p, m, 0.5));
            }
        }
        return out;
    }

    /** Blends two RGB colours: {@code (1 - alpha) * a + alpha * b}. */
    public static int blend(int a, int b, double alpha) {
        int r = (int) Math.round(((a >> 16) & 0xff) * (1 - alpha) + ((b >> 16) & 0xff) * alpha);
        int g = (int) Math.round(((a >> 8) & 0xff) * (1 - alpha) + ((b >> 8) & 0xff) * alpha);
        int bl = (int) Math.round((a & 0xff) * (1 - alpha) + (b & 0xff) * alpha);
        return (r << 16) | (g << 8) | bl;
    }

    /**
     * Bilinear resize with PyTorch's {@code interpolate(mode='bilinear', align_corners=False)} sampling
     * (pixel centres aligned, edges clamped).
     */
    public static float[] resizeBilinear(float[] src, int rows, int cols, int outRows, int outCols) {
        checkSize(src, rows, cols);
        float[] out = new float[outRows * outCols];
        double sy = (double) rows / outRows;
        double sx = (double) cols / outCols;
        for (int y = 0; y < outRows; y++) {
            double fy = Math.max(0, (y + 0.5) * sy - 0.5);
            int y0 = Math.min((int) fy, rows - 1);
            int y1 = Math.min(y0 + 1, rows - 1);
            double dy = fy - y0;
            for (int x = 0; x < outCols; x++) {
                double fx = Math.max(0, (x + 0.5) * sx - 0.5);
                int x0 = Math.min((int) fx, cols - 1);
                int x1 = Math.min(x0 + 1, cols - 1);
                double dx = fx - x0;
                double v = (src[y0 * cols + x0] * (1 - dx) + src[y0 * cols + x1] * dx) * (1 - dy)
                        + (src[y1 * cols + x0] * (1 - dx) + src[y1 * cols + x1] * dx) * dy;
                out[y * outCols + x] = (float) v;
            }
        }
        return out;
    }

    /** Scales an image by an integer factor with nearest-neighbour sampling (small pictures in reports). */
    public static BufferedImage enlarge(BufferedImage img, int factor) {
        BufferedImage out = new BufferedImage(img.getWidth() * factor, img.getHeight() * factor,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            g.drawImage(img, 0, 0, out.getWidth(), out.getHeight(), null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /** Writes a PNG (parent folders created); returns {@code out}. */
    public static Path writePng(BufferedImage img, Path out) {
        return Headless.writePng(img, out);
    }

    private static void checkSize(float[] v, int rows, int cols) {
        if (rows < 1 || cols < 1 || v.length != (long) rows * cols) {
            throw new IllegalArgumentException(v.length + " values do not fill " + rows + "x" + cols);
        }
    }

    private static float[] minMax(float[] v) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float f : v) {
            if (Float.isFinite(f)) {
                lo = Math.min(lo, f);
                hi = Math.max(hi, f);
            }
        }
        return new float[] {lo, hi};
    }

    private static double norm(float v, float[] mm) {
        return mm[1] > mm[0] ? (v - mm[0]) / (mm[1] - mm[0]) : 0;
    }
}
