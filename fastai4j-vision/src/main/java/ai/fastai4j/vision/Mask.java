package ai.fastai4j.vision;

import ai.fastai4j.data.DataException;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.util.Arrays;
import java.util.Objects;

/**
 * A segmentation mask in Java memory: one class code (0..255) per pixel, row-major. Masks move with their image
 * through the item transforms ({@link Resize}, {@link ai.fastai4j.vision.augment.AugTransforms},
 * {@link ai.fastai4j.vision.augment.RandomResizedCrop}), always resampled with the nearest pixel so that codes
 * never blend.
 */
public record Mask(int height, int width, byte[] codes) {

    public Mask {
        Objects.requireNonNull(codes);
        if (height < 1 || width < 1 || (long) height * width != codes.length) {
            throw new IllegalArgumentException(codes.length + " codes do not fill a " + height + "x" + width + " mask");
        }
    }

    /** The code of pixel (row, col). */
    public int code(int row, int col) {
        return codes[row * width + col] & 0xff;
    }

    /** The largest code in the mask. */
    public int maxCode() {
        int max = 0;
        for (byte b : codes) {
            max = Math.max(max, b & 0xff);
        }
        return max;
    }

    /**
     * The codes of a decoded mask picture: the palette indices of an indexed (palette) image, the values of a grey
     * image, or of a colour image whose pixels are all grey (R = G = B).
     *
     * @throws DataException naming {@code source} for colour masks, which have no codes
     */
    public static Mask fromBufferedImage(BufferedImage img, String source) {
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] out = new byte[w * h];
        Raster r = img.getRaster();
        boolean indexed = img.getColorModel() instanceof IndexColorModel;
        if (indexed || r.getNumBands() == 1) {
            if (!indexed && r.getSampleModel().getSampleSize(0) > 8) {
                throw new DataException("mask " + source + " is a 16-bit grey image: save masks with 8-bit codes");
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    out[y * w + x] = (byte) r.getSample(x, y, 0);
                }
            }
            return new Mask(h, w, out);
        }
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < argb.length; i++) {
            int red = (argb[i] >> 16) & 0xff;
            int g = (argb[i] >> 8) & 0xff;
            int b = argb[i] & 0xff;
            if (red != g || g != b) {
                throw new DataException("mask " + source + " is a colour image (pixel " + (i % w) + "," + (i / w)
                        + " is RGB " + red + "," + g + "," + b + "): masks are palette or grey PNGs holding class codes");
            }
            out[i] = (byte) red;
        }
        return new Mask(h, w, out);
    }

    /** A grey image of the codes (what {@code PILMask.save} writes). */
    public BufferedImage toBufferedImage() {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        out.getRaster().setDataElements(0, 0, width, height, codes);
        return out;
    }

    /** A palette PNG image of the codes with {@link #PALETTE}'s colours (codes are the palette indices). */
    public BufferedImage toPaletteImage() {
        byte[] r = new byte[256];
        byte[] g = new byte[256];
        byte[] b = new byte[256];
        for (int i = 0; i < 256; i++) {
            int c = color(i);
            r[i] = (byte) (c >> 16);
            g[i] = (byte) (c >> 8);
            b[i] = (byte) c;
        }
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, 256, r, g, b));
        out.getRaster().setDataElements(0, 0, width, height, codes);
        return out;
    }

    /** matplotlib's tab20 colours; code 0 (usually background) is black. */
    public static final int[] PALETTE = {0x000000, 0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b,
        0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf, 0xaec7e8, 0xffbb78, 0x98df8a, 0xff9896, 0xc5b0d5, 0xc49c94,
        0xf7b6d2, 0xc7c7c7, 0xdbdb8d};

    /** The display colour of {@code code}. */
    public static int color(int code) {
        return PALETTE[code % PALETTE.length];
    }

    /** The codes in colour (RGB image). */
    public BufferedImage toColorImage() {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                out.setRGB(x, y, color(code(y, x)));
            }
        }
        return out;
    }

    /**
     * The part {@code (sx0, sy0, sw, sh)} of this mask resized to {@code outH x outW} with the nearest pixel
     * (pixel centres mapped as Java2D's nearest-neighbour scaling), placed at {@code (dx0, dy0)} in a
     * {@code dw x dh} box of a zero-filled {@code outH x outW} mask.
     */
    public Mask resample(int sx0, int sy0, int sw, int sh, int dx0, int dy0, int dw, int dh, int outH, int outW) {
        byte[] out = new byte[outH * outW];
        for (int y = 0; y < dh; y++) {
            int sy = sy0 + Math.min(sh - 1, (int) ((y + 0.5) * sh / dh));
            for (int x = 0; x < dw; x++) {
                int sx = sx0 + Math.min(sw - 1, (int) ((x + 0.5) * sw / dw));
                int oy = dy0 + y;
                int ox = dx0 + x;
                if (oy >= 0 && oy < outH && ox >= 0 && ox < outW) {
                    out[oy * outW + ox] = codes[sy * width + sx];
                }
            }
        }
        return new Mask(outH, outW, out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Mask m && m.height == height && m.width == width && Arrays.equals(m.codes, codes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(codes) * 31 + height * 7 + width;
    }

    @Override
    public String toString() {
        return "Mask(" + height + "x" + width + ")";
    }
}
