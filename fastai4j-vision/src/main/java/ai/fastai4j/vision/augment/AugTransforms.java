package ai.fastai4j.vision.augment;

import ai.fastai4j.data.ItemTransform;
import ai.fastai4j.data.Split;
import ai.fastai4j.plot.ImageGrid;
import ai.fastai4j.vision.Image;
import ai.fastai4j.vision.Mask;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * fastai's {@code aug_transforms} as one item transform on the loader threads: flip, rotation, zoom and
 * perspective warp are composed into ONE coordinate map and each image is resampled once (bilinear, reflection
 * padding, like fastai's single {@code grid_sample}); brightness and contrast are applied in logit space during
 * the same pass through a per-image lookup table. Random on the training split only; identity on validation.
 */
public final class AugTransforms implements ItemTransform {
    private final boolean doFlip;
    private final double maxRotate;
    private final double minZoom;
    private final double maxZoom;
    private final double maxLighting;
    private final double maxWarp;
    private final double pAffine;
    private final double pLighting;

    private AugTransforms(Builder b) {
        this.doFlip = b.doFlip;
        this.maxRotate = b.maxRotate;
        this.minZoom = b.minZoom;
        this.maxZoom = b.maxZoom;
        this.maxLighting = b.maxLighting;
        this.maxWarp = b.maxWarp;
        this.pAffine = b.pAffine;
        this.pLighting = b.pLighting;
    }

    /** fastai's defaults: flip p 0.5, rotate 10 degrees, zoom 1..1.1, lighting 0.2, warp 0.2, p_affine and p_lighting 0.75. */
    public static AugTransforms defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The random draws for one image; exposed for tests and previews. */
    public record Params(boolean flip, double angleDeg, double zoom, double zoomCol, double zoomRow, double warpX,
            double warpY, double brightness, double contrast) {

        /** Nothing changes. */
        public static Params identity() {
            return new Params(false, 0, 1, 0.5, 0.5, 0, 0, 0.5, 1);
        }
    }

    /** Draws one image's parameters exactly as fastai's transforms draw them. */
    public Params draw(Random rng) {
        boolean flip = doFlip && rng.nextDouble() < 0.5;
        double angle = rng.nextDouble() < pAffine ? uniform(rng, -maxRotate, maxRotate) : 0;
        boolean zoomOn = rng.nextDouble() < pAffine;
        double zoom = zoomOn ? uniform(rng, minZoom, maxZoom) : 1;
        double col = zoomOn ? rng.nextDouble() : 0.5;
        double row = zoomOn ? rng.nextDouble() : 0.5;
        boolean warpOn = rng.nextDouble() < pAffine;
        double wx = warpOn ? uniform(rng, -maxWarp, maxWarp) : 0;
        double wy = warpOn ? uniform(rng, -maxWarp, maxWarp) : 0;
        double brightness = rng.nextDouble() < pLighting ? uniform(rng, 0.5 * (1 - maxLighting), 0.5 * (1 + maxLighting)) : 0.5;
        double contrast = 1;
        if (rng.nextDouble() < pLighting) {
            double lim = Math.log(1 - maxLighting);
            contrast = Math.exp(uniform(rng, lim, -lim));
        }
        return new Params(flip, angle, zoom, col, row, wx, wy, brightness, contrast);
    }

    private static double uniform(Random r, double lo, double hi) {
        return lo + (hi - lo) * r.nextDouble();
    }

    @Override
    public List<Object> apply(List<Object> sample, Split split, Random rng) {
        if (split != Split.TRAIN) {
            return sample;
        }
        Params p = draw(rng);
        List<Object> out = new ArrayList<>(sample.size());
        for (Object o : sample) {
            out.add(o instanceof Image img ? apply(img, p) : o instanceof Mask m ? apply(m, p) : o);
        }
        return out;
    }

    /** Resamples {@code img} once under the composed transform of {@code p}. */
    public static Image apply(Image img, Params p) {
        int h = img.height();
        int w = img.width();
        int c = img.channels();
        double[] m = affine(p);
        double[] warp = warpCoefficients(p.warpX(), p.warpY());
        int[] lut = lightingTable(p.brightness(), p.contrast());
        byte[] src = img.pixels();
        byte[] dst = new byte[src.length];
        double[] px = new double[c];
        for (int i = 0; i < h; i++) {
            double y = h == 1 ? 0 : -1 + 2.0 * i / (h - 1);
            for (int j = 0; j < w; j++) {
                double x = w == 1 ? 0 : -1 + 2.0 * j / (w - 1);
                // affine first, then the perspective warp of the resulting coordinates (fastai's order)
                double ax = m[0] * x + m[1] * y + m[2];
                double ay = m[3] * x + m[4] * y + m[5];
                double sx = ax;
                double sy = ay;
                if (warp != null) {
                    double d = warp[6] * ax + warp[7] * ay + 1;
                    if (d != 0) {
                        sx = (warp[0] * ax + warp[1] * ay + warp[2]) / d;
                        sy = (warp[3] * ax + warp[4] * ay + warp[5]) / d;
                    }
                }
                // align_corners=True: -1 and 1 are the centres of the corner pixels
                double fx = reflect((sx + 1) * (w - 1) / 2, w - 1);
                double fy = reflect((sy + 1) * (h - 1) / 2, h - 1);
                bilinear(src, h, w, c, fx, fy, px);
                int o = (i * w + j) * c;
                for (int k = 0; k < c; k++) {
                    int v = (int) Math.round(px[k]);
                    dst[o + k] = (byte) lut[Math.max(0, Math.min(255, v))];
                }
            }
        }
        return new Image(h, w, c, dst);
    }

    /**
     * Resamples a mask under the same coordinate map as its image (so they stay aligned), with the nearest pixel
     * and no lighting: codes never blend.
     */
    public static Mask apply(Mask mask, Params p) {
        int h = mask.height();
        int w = mask.width();
        double[] m = affine(p);
        double[] warp = warpCoefficients(p.warpX(), p.warpY());
        byte[] src = mask.codes();
        byte[] dst = new byte[src.length];
        for (int i = 0; i < h; i++) {
            double y = h == 1 ? 0 : -1 + 2.0 * i / (h - 1);
            for (int j = 0; j < w; j++) {
                double x = w == 1 ? 0 : -1 + 2.0 * j / (w - 1);
                double[] s = sourcePoint(m, warp, x, y);
                double fx = reflect((s[0] + 1) * (w - 1) / 2, w - 1);
                double fy = reflect((s[1] + 1) * (h - 1) / 2, h - 1);
                int sx = Math.min(w - 1, (int) Math.round(fx));
                int sy = Math.min(h - 1, (int) Math.round(fy));
                dst[i * w + j] = src[sy * w + sx];
            }
        }
        return new Mask(h, w, dst);
    }

    /** The source point of output point (x, y): affine first, then the perspective warp (fastai's order). */
    private static double[] sourcePoint(double[] m, double[] warp, double x, double y) {
        double ax = m[0] * x + m[1] * y + m[2];
        double ay = m[3] * x + m[4] * y + m[5];
        if (warp != null) {
            double d = warp[6] * ax + warp[7] * ay + 1;
            if (d != 0) {
                return new double[] {(warp[0] * ax + warp[1] * ay + warp[2]) / d,
                    (warp[3] * ax + warp[4] * ay + warp[5]) / d};
            }
        }
        return new double[] {ax, ay};
    }

    /** Row-major 2x3 affine map of normalised coordinates: flip, then rotation, then zoom. */
    static double[] affine(Params p) {
        double[] flip = {p.flip() ? -1 : 1, 0, 0, 0, 1, 0};
        double t = Math.toRadians(p.angleDeg());
        double[] rot = {Math.cos(t), Math.sin(t), 0, -Math.sin(t), Math.cos(t), 0};
        double s = 1 / p.zoom();
        double[] zoom = {s, 0, (1 - s) * (2 * p.zoomCol() - 1), 0, s, (1 - s) * (2 * p.zoomRow() - 1)};
        return compose(compose(flip, rot), zoom);
    }

    /** {@code a @ b} for 2x3 affine matrices with an implicit last row (0 0 1). */
    static double[] compose(double[] a, double[] b) {
        return new double[] {
            a[0] * b[0] + a[1] * b[3], a[0] * b[1] + a[1] * b[4], a[0] * b[2] + a[1] * b[5] + a[2],
            a[3] * b[0] + a[4] * b[3], a[3] * b[1] + a[4] * b[4], a[3] * b[2] + a[4] * b[5] + a[5]};
    }

    /**
     * fastai's Warp: the perspective transform taking the corners (-1,-1), (-1,1), (1,-1), (1,1) to the corners
     * moved by the magnitudes; null when there is no warp. Coefficients a..h of
     * {@code ((a x + b y + c) / (g x + h y + 1), (d x + e y + f) / (g x + h y + 1))}.
     */
    static double[] warpCoefficients(double mx, double my) {
        if (mx == 0 && my == 0) {
            return null;
        }
        double[][] orig = {{-1, -1}, {-1, 1}, {1, -1}, {1, 1}};
        double[][] targ = {{-1 - my, -1 - mx}, {-1 + my, 1 + mx}, {1 + my, -1 + mx}, {1 - my, 1 - mx}};
        // fastai's _find_coeffs(targ_pts, orig_pts): the map that takes each original corner to its target
        double[][] a = new double[8][9];
        for (int i = 0; i < 4; i++) {
            double px = orig[i][0];
            double py = orig[i][1];
            double ox = targ[i][0];
            double oy = targ[i][1];
            a[2 * i] = new double[] {px, py, 1, 0, 0, 0, -ox * px, -ox * py, ox};
            a[2 * i + 1] = new double[] {0, 0, 0, px, py, 1, -oy * px, -oy * py, oy};
        }
        return solve(a);
    }

    /** Gaussian elimination with partial pivoting on an 8x9 augmented matrix. */
    static double[] solve(double[][] a) {
        int n = a.length;
        for (int col = 0; col < n; col++) {
            int piv = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[piv][col])) {
                    piv = r;
                }
            }
            double[] tmp = a[col];
            a[col] = a[piv];
            a[piv] = tmp;
            for (int r = 0; r < n; r++) {
                if (r != col) {
                    double f = a[r][col] / a[col][col];
                    for (int k = col; k <= n; k++) {
                        a[r][k] -= f * a[col][k];
                    }
                }
            }
        }
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = a[i][n] / a[i][i];
        }
        return x;
    }

    /** Reflection padding into [0, max]. */
    static double reflect(double v, int max) {
        if (max == 0) {
            return 0;
        }
        double period = 2.0 * max;
        double r = v % period;
        if (r < 0) {
            r += period;
        }
        return r > max ? period - r : r;
    }

    private static void bilinear(byte[] src, int h, int w, int c, double fx, double fy, double[] out) {
        int x0 = (int) Math.floor(fx);
        int y0 = (int) Math.floor(fy);
        int x1 = Math.min(x0 + 1, w - 1);
        int y1 = Math.min(y0 + 1, h - 1);
        double dx = fx - x0;
        double dy = fy - y0;
        for (int k = 0; k < c; k++) {
            double v00 = src[(y0 * w + x0) * c + k] & 0xff;
            double v01 = src[(y0 * w + x1) * c + k] & 0xff;
            double v10 = src[(y1 * w + x0) * c + k] & 0xff;
            double v11 = src[(y1 * w + x1) * c + k] & 0xff;
            out[k] = (v00 * (1 - dx) + v01 * dx) * (1 - dy) + (v10 * (1 - dx) + v11 * dx) * dy;
        }
    }

    /** fastai's lighting in logit space: {@code sigmoid(logit(x) * contrast + logit(brightness))}, as a table. */
    static int[] lightingTable(double brightness, double contrast) {
        int[] lut = new int[256];
        boolean identity = brightness == 0.5 && contrast == 1;
        double lb = Math.log(brightness / (1 - brightness));
        for (int v = 0; v < 256; v++) {
            if (identity) {
                lut[v] = v;
                continue;
            }
            double x = Math.min(Math.max(v / 255.0, 1e-7), 1 - 1e-7);
            double l = Math.log(x / (1 - x)) * contrast + lb;
            lut[v] = (int) Math.round(255.0 / (1 + Math.exp(-l)));
        }
        return lut;
    }

    /** Writes a PNG grid of {@code n} augmented versions of {@code img} (the first is the original). */
    public Path preview(Image img, int n, long seed, Path out) {
        Random rng = new Random(seed);
        List<BufferedImage> images = new ArrayList<>();
        List<String> titles = new ArrayList<>();
        images.add(img.toBufferedImage());
        titles.add("original");
        for (int i = 1; i < n; i++) {
            Params p = draw(rng);
            images.add(apply(img, p).toBufferedImage());
            titles.add(String.format("rot %.0f zoom %.2f%s", p.angleDeg(), p.zoom(), p.flip() ? " flip" : ""));
        }
        return ImageGrid.write(images, titles, (int) Math.ceil(Math.sqrt(n)), 160, out);
    }

    @Override
    public String name() {
        return "AugTransforms";
    }

    @Override
    public Map<String, Object> params() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("do_flip", doFlip);
        m.put("max_rotate", maxRotate);
        m.put("min_zoom", minZoom);
        m.put("max_zoom", maxZoom);
        m.put("max_lighting", maxLighting);
        m.put("max_warp", maxWarp);
        m.put("p_affine", pAffine);
        m.put("p_lighting", pLighting);
        return m;
    }

    /** Settings of {@link AugTransforms}, fastai's defaults unless changed. */
    public static final class Builder {
        private boolean doFlip = true;
        private double maxRotate = 10;
        private double minZoom = 1;
        private double maxZoom = 1.1;
        private double maxLighting = 0.2;
        private double maxWarp = 0.2;
        private double pAffine = 0.75;
        private double pLighting = 0.75;

        public Builder doFlip(boolean v) {
            doFlip = v;
            return this;
        }

        public Builder maxRotate(double v) {
            maxRotate = v;
            return this;
        }

        public Builder zoom(double min, double max) {
            if (min <= 0 || max < min) {
                throw new IllegalArgumentException("zoom range must satisfy 0 < min <= max");
            }
            minZoom = min;
            maxZoom = max;
            return this;
        }

        public Builder maxLighting(double v) {
            if (v < 0 || v >= 1) {
                throw new IllegalArgumentException("maxLighting must be in [0, 1)");
            }
            maxLighting = v;
            return this;
        }

        public Builder maxWarp(double v) {
            maxWarp = v;
            return this;
        }

        public Builder pAffine(double v) {
            pAffine = v;
            return this;
        }

        public Builder pLighting(double v) {
            pLighting = v;
            return this;
        }

        /** fastai's {@code mult}: scales rotation, lighting and warp. */
        public Builder mult(double mult) {
            maxRotate *= mult;
            maxLighting *= mult;
            maxWarp *= mult;
            return this;
        }

        public AugTransforms build() {
            return new AugTransforms(this);
        }
    }
}
