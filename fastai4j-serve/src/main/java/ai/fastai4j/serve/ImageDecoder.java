package ai.fastai4j.serve;

import ai.fastai4j.vision.Image;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes uploaded image bytes strictly: the format is sniffed from the bytes (not the declared type), the size
 * is read from the header and checked against a pixel limit before any pixel is decoded (a 100-byte PNG may
 * declare 50,000 x 50,000 pixels), and a decoder warning fails the image: Java's JPEG reader only warns about a
 * truncated file and fills the rest with grey, where PIL (and so fastai) refuses it.
 */
final class ImageDecoder {
    static {
        ImageIO.setUseCache(false);
    }

    private final int channels;
    private final long maxPixels;

    ImageDecoder(int channels, long maxPixels) {
        this.channels = channels;
        this.maxPixels = maxPixels;
    }

    /**
     * Decodes {@code bytes} to an {@link Image} with the model's channel count.
     *
     * @throws ApiException 422 naming the problem: not an image, a format without a reader, too many pixels,
     *     truncated or corrupt data
     */
    Image decode(byte[] bytes) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ApiException(422, "the upload (" + bytes.length + " bytes" + sniff(bytes)
                        + ") is not an image in a known format (JPEG, PNG, GIF, BMP)");
            }
            ImageReader reader = readers.next();
            String format = format(reader);
            try {
                reader.setInput(in, true, true);
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w <= 0 || h <= 0) {
                    throw new ApiException(422, "the " + format + " image declares a size of " + w + "x" + h + " pixels");
                }
                if ((long) w * h > maxPixels) {
                    throw new ApiException(422, String.format(Locale.ROOT, "the %s image is %dx%d pixels (%.1f megapixels),"
                            + " more than this server's limit of %.1f megapixels", format, w, h, w * (double) h / 1e6,
                            maxPixels / 1e6));
                }
                BufferedImage img = reader.read(0);
                if (!warnings.isEmpty()) {
                    throw new ApiException(422, "truncated or corrupt " + format + " image: " + String.join("; ", warnings));
                }
                return Image.fromBufferedImage(img, channels);
            } finally {
                reader.dispose();
            }
        } catch (ApiException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // decoders throw all sorts on hostile input (EOF, index out of bounds, negative sizes...)
            throw new ApiException(422, "truncated or corrupt image: " + message(e));
        }
    }

    private static String format(ImageReader r) {
        try {
            return r.getFormatName().toUpperCase(Locale.ROOT);
        } catch (IOException e) {
            return "image";
        }
    }

    private static String message(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < 300; t = t.getCause() == t ? null : t.getCause()) {
            if (sb.length() > 0) {
                sb.append(": ");
            }
            sb.append(t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage());
        }
        return sb.toString();
    }

    /** ", starts with ..." for a few printable bytes, to help someone who sent text or HTML. */
    private static String sniff(byte[] b) {
        int n = Math.min(16, b.length);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int c = b[i] & 0xff;
            if (c < 0x20 || c > 0x7e) {
                return "";
            }
            sb.append((char) c);
        }
        return n == 0 ? "" : ", starts with \"" + sb + (b.length > n ? "...\"" : "\"");
    }
}
