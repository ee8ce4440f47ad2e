package ai.fastai4j.vision;

import ai.fastai4j.data.ItemTransform;
import ai.fastai4j.data.Split;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * fastai's {@code Resize} item transform, on the loader threads with Java2D (bilinear): {@code crop} takes the
 * largest region of the target aspect ratio (at a random place on the training split, centred on validation) and
 * resizes it; {@code squish} resizes the whole image; {@code pad} fits the whole image and pads with black.
 */
public final class Resize implements ItemTransform {

    /** How the image is fitted to the target size. */
    public enum Method { CROP, SQUISH, PAD }

    private final int height;
    private final int width;
    private final Method method;

    private Resize(int height, int width, Method method) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("resize size must be positive, got " + height + "x" + width);
        }
        this.height = height;
        this.width = width;
        this.method = method;
    }

    /** fastai's default: random crop on training, centre crop on validation. */
    public static Resize crop(int size) {
        return new Resize(size, size, Method.CROP);
    }

    public static Resize squish(int size) {
        return new Resize(size, size, Method.SQUISH);
    }

    public static Resize pad(int size) {
        return new Resize(size, size, Method.PAD);
    }

    public static Resize of(int height, int width, Method method) {
        return new Resize(height, width, method);
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public Method method() {
        return method;
    }

    @Override
    public List<Object> apply(List<Object> sample, Split split, Random rng) {
        double px = split == Split.TRAIN ? rng.nextDouble() : 0.5;
        double py = split == Split.TRAIN ? rng.nextDouble() : 0.5;
        List<Object> out = new ArrayList<>(sample.size());
        for (Object o : sample) {
            out.add(o instanceof Image img ? resize(img, px, py) : o instanceof Mask m ? resize(m, px, py) : o);
        }
        return out;
    }

    /** Where the source region goes in the output: source box, destination box. */
    private record Window(int sx0, int sy0, int sw, int sh, int dx0, int dy0, int dw, int dh) {}

    private Window window(int w, int h, double px, double py) {
        int sx0 = 0;
        int sy0 = 0;
        int sw = w;
        int sh = h;
        int dx0 = 0;
        int dy0 = 0;
        int dw = width;
        int dh = height;
        if (method == Method.CROP) {
            double m = Math.min((double) w / width, (double) h / height);
            sw = Math.max(1, (int) (m * width));
            sh = Math.max(1, (int) (m * height));
            sx0 = (int) (px * (w - sw));
            sy0 = (int) (py * (h - sh));
        } else if (method == Method.PAD) {
            double m = Math.max((double) w / width, (double) h / height);
            dw = Math.max(1, (int) Math.round(w / m));
            dh = Math.max(1, (int) Math.round(h / m));
            dx0 = (width - dw) / 2;
            dy0 = (height - dh) / 2;
        }
        return new Window(sx0, sy0, sw, sh, dx0, dy0, dw, dh);
    }

    /** The mask resized with the nearest pixel over the same window as its image (padding is code 0). */
    Mask resize(Mask mask, double px, double py) {
        if (mask.width() == width && mask.height() == height) {
            return mask;
        }
        Window v = window(mask.width(), mask.height(), px, py);
        return mask.resample(v.sx0, v.sy0, v.sw, v.sh, v.dx0, v.dy0, v.dw, v.dh, height, width);
    }

    Image resize(Image img, double px, double py) {
        int w = img.width();
        int h = img.height();
        if (w == width && h == height) {
            return img;
        }
        Window v = window(w, h, px, py);
        int sx0 = v.sx0;
        int sy0 = v.sy0;
        int sw = v.sw;
        int sh = v.sh;
        int dx0 = v.dx0;
        int dy0 = v.dy0;
        int dw = v.dw;
        int dh = v.dh;
        BufferedImage src = img.toBufferedImage();
        BufferedImage dst = new BufferedImage(width, height, src.getType());
        Graphics2D g = dst.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(src, dx0, dy0, dx0 + dw, dy0 + dh, sx0, sy0, sx0 + sw, sy0 + sh, null);
        } finally {
            g.dispose();
        }
        return Image.fromBufferedImage(dst, img.channels());
    }

    @Override
    public String name() {
        return "Resize(" + height + "x" + width + ", " + method.name().toLowerCase(java.util.Locale.ROOT) + ")";
    }

    @Override
    public Map<String, Object> params() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("height", height);
        m.put("width", width);
        m.put("method", method.name());
        return m;
    }
}
