package ai.fastai4j.vision;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * A decoded image in Java memory: 8-bit pixels in height-width-channel order, 1 (grey) or 3 (RGB) channels.
 * Images are decoded and resized on the loader threads as these; tensors are made once per batch.
 */
public record Image(int height, int width, int channels, byte[] pixels) {

    public Image {
        Objects.requireNonNull(pixels);
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("images have 1 or 3 channels, got " + channels);
        }
        if ((long) height * width * channels != pixels.length) {
            throw new IllegalArgumentException("pixel buffer of " + pixels.length + " bytes does not hold " + height
                    + "x" + width + "x" + channels);
        }
    }

    /** Converts a Java2D image to grey (1 channel) or RGB (3 channels). */
    public static Image fromBufferedImage(BufferedImage img, int channels) {
        int h = img.getHeight();
        int w = img.getWidth();
        byte[] px = new byte[h * w * channels];
        if (channels == 1 && img.getType() == BufferedImage.TYPE_BYTE_GRAY) {
            img.getRaster().getDataElements(0, 0, w, h, px);
            return new Image(h, w, 1, px);
        }
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < argb.length; i++) {
            int r = (argb[i] >> 16) & 0xff;
            int g = (argb[i] >> 8) & 0xff;
            int b = argb[i] & 0xff;
            if (channels == 1) {
                // ITU-R 601-2 luma, as PIL's convert("L")
                px[i] = (byte) Math.round((r * 299 + g * 587 + b * 114) / 1000.0);
            } else {
                px[3 * i] = (byte) r;
                px[3 * i + 1] = (byte) g;
                px[3 * i + 2] = (byte) b;
            }
        }
        return new Image(h, w, channels, px);
    }

    /** A Java2D copy (TYPE_BYTE_GRAY or TYPE_3BYTE_BGR). */
    public BufferedImage toBufferedImage() {
        if (channels == 1) {
            BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
            out.getRaster().setDataElements(0, 0, width, height, pixels);
            return out;
        }
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        // data elements of a component sample model are given in band order (R, G, B), whatever the memory order
        out.getRaster().setDataElements(0, 0, width, height, pixels);
        return out;
    }

    @Override
    public String toString() {
        return "Image(" + height + "x" + width + "x" + channels + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Image i && i.height == height && i.width == width && i.channels == channels
                && java.util.Arrays.equals(i.pixels, pixels);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(pixels) * 31 + height * 7 + width;
    }
}
