package ai.fastai4j.vision.data;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.Objects;

/**
 * Grey images from an IDX3 file: {@code count} images of {@code rows x cols} unsigned bytes, row-major,
 * image after image in {@code pixels}.
 *
 * @param count number of images
 * @param rows image height
 * @param cols image width
 * @param pixels {@code count * rows * cols} bytes, read as unsigned (0 = black, 255 = white in MNIST files)
 */
public record IdxImages(int count, int rows, int cols, byte[] pixels) {

    public IdxImages {
        Objects.requireNonNull(pixels, "pixels");
        if (count < 0 || rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("bad dimensions " + count + "x" + rows + "x" + cols);
        }
        if ((long) count * rows * cols != pixels.length) {
            throw new IllegalArgumentException(count + "x" + rows + "x" + cols + " images need "
                    + (long) count * rows * cols + " bytes, got " + pixels.length);
        }
    }

    /** Bytes per image. */
    public int imageSize() {
        return rows * cols;
    }

    /** One pixel, 0..255. */
    public int pixel(int index, int row, int col) {
        Objects.checkIndex(index, count);
        Objects.checkIndex(row, rows);
        Objects.checkIndex(col, cols);
        return pixels[index * imageSize() + row * cols + col] & 0xff;
    }

    /** A copy of one image's bytes. */
    public byte[] image(int index) {
        Objects.checkIndex(index, count);
        int size = imageSize();
        return Arrays.copyOfRange(pixels, index * size, (index + 1) * size);
    }

    /** One image as an 8-bit grey {@link BufferedImage}. */
    public BufferedImage toBufferedImage(int index) {
        Objects.checkIndex(index, count);
        BufferedImage img = new BufferedImage(cols, rows, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setDataElements(0, 0, cols, rows, image(index));
        return img;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdxImages other && count == other.count && rows == other.rows && cols == other.cols
                && Arrays.equals(pixels, other.pixels);
    }

    @Override
    public int hashCode() {
        return Objects.hash(count, rows, cols, Arrays.hashCode(pixels));
    }

    @Override
    public String toString() {
        return "IdxImages[" + count + " x " + rows + "x" + cols + "]";
    }
}
