package ai.fastai4j.vision.augment;

import ai.fastai4j.data.ItemTransform;
import ai.fastai4j.data.Split;
import ai.fastai4j.vision.Image;
import ai.fastai4j.vision.Mask;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * fastai's {@code RandomResizedCrop}: on training, a random region of {@code minScale..1} of the area with an
 * aspect ratio in 3/4..4/3 resized to the target size; on validation, the whole image resized to the size plus
 * {@code valXtra} (14%, rounded up to a multiple of 8) and centre-cropped.
 */
public final class RandomResizedCrop implements ItemTransform {
    private final int size;
    private final double minScale;
    private final double ratioLo;
    private final double ratioHi;
    private final double valXtra;

    private RandomResizedCrop(int size, double minScale, double ratioLo, double ratioHi, double valXtra) {
        if (size < 1 || minScale <= 0 || minScale > 1) {
            throw new IllegalArgumentException("size must be positive and minScale in (0, 1]");
        }
        this.size = size;
        this.minScale = minScale;
        this.ratioLo = ratioLo;
        this.ratioHi = ratioHi;
        this.valXtra = valXtra;
    }

    /** fastai's defaults: min_scale 0.08, ratio 3/4..4/3, val_xtra 0.14. */
    public static RandomResizedCrop of(int size) {
        return new RandomResizedCrop(size, 0.08, 3.0 / 4, 4.0 / 3, 0.14);
    }

    public static RandomResizedCrop of(int size, double minScale) {
        return new RandomResizedCrop(size, minScale, 3.0 / 4, 4.0 / 3, 0.14);
    }

    @Override
    public List<Object> apply(List<Object> sample, Split split, Random rng) {
        List<Object> out = new ArrayList<>(sample.size());
        int[] crop = null;
        boolean drawn = false;
        for (Object o : sample) {
            boolean spatial = o instanceof Image || o instanceof Mask;
            if (spatial && !drawn) { // one crop for the image and its mask
                int w = o instanceof Image img ? img.width() : ((Mask) o).width();
                int h = o instanceof Image img ? img.height() : ((Mask) o).height();
                crop = split == Split.TRAIN ? trainCrop(w, h, rng) : null;
                drawn = true;
            }
            if (o instanceof Image img) {
                out.add(crop == null ? valid(img) : resize(img, crop[0], crop[1], crop[2], crop[3], size, size));
            } else if (o instanceof Mask m) {
                out.add(crop == null ? valid(m) : m.resample(crop[0], crop[1], crop[2], crop[3], 0, 0, size, size,
                        size, size));
            } else {
                out.add(o);
            }
        }
        return out;
    }

    private Mask valid(Mask m) {
        int xtra = (int) Math.ceil(size * valXtra / 8) * 8;
        int big = size + xtra;
        Mask squished = m.resample(0, 0, m.width(), m.height(), 0, 0, big, big, big, big);
        int off = (big - size) / 2;
        return squished.resample(off, off, size, size, 0, 0, size, size, size, size);
    }

    /** {x, y, w, h} of the training crop (fastai's ten attempts, then a centred fallback). */
    int[] trainCrop(int w, int h, Random rng) {
        for (int attempt = 0; attempt < 10; attempt++) {
            double area = (minScale + (1 - minScale) * rng.nextDouble()) * w * h;
            double ratio = Math.exp(Math.log(ratioLo) + (Math.log(ratioHi) - Math.log(ratioLo)) * rng.nextDouble());
            int nw = (int) Math.round(Math.sqrt(area * ratio));
            int nh = (int) Math.round(Math.sqrt(area / ratio));
            if (nw <= w && nh <= h && nw > 0 && nh > 0) {
                return new int[] {rng.nextInt(w - nw + 1), rng.nextInt(h - nh + 1), nw, nh};
            }
        }
        int cw = w;
        int ch = h;
        if ((double) w / h < ratioLo) {
            ch = (int) (w / ratioLo);
        } else if ((double) w / h > ratioHi) {
            cw = (int) (h * ratioHi);
        }
        return new int[] {(w - cw) / 2, (h - ch) / 2, cw, ch};
    }

    private Image valid(Image img) {
        int xtra = (int) Math.ceil(size * valXtra / 8) * 8;
        int big = size + xtra;
        Image squished = resize(img, 0, 0, img.width(), img.height(), big, big);
        int off = (big - size) / 2;
        return resize(squished, off, off, size, size, size, size);
    }

    static Image resize(Image img, int x, int y, int cw, int ch, int outW, int outH) {
        if (x == 0 && y == 0 && cw == img.width() && ch == img.height() && outW == cw && outH == ch) {
            return img;
        }
        BufferedImage src = img.toBufferedImage();
        BufferedImage dst = new BufferedImage(outW, outH, src.getType());
        Graphics2D g = dst.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(src, 0, 0, outW, outH, x, y, x + cw, y + ch, null);
        } finally {
            g.dispose();
        }
        return Image.fromBufferedImage(dst, img.channels());
    }

    @Override
    public String name() {
        return "RandomResizedCrop(" + size + ")";
    }

    @Override
    public Map<String, Object> params() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("size", size);
        m.put("min_scale", minScale);
        m.put("ratio", List.of(ratioLo, ratioHi));
        m.put("val_xtra", valXtra);
        return m;
    }
}
