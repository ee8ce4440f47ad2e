package ai.fastai4j.serve;

import ai.fastai4j.vision.Image;
import ai.fastai4j.data.DataException;
import ai.fastai4j.vision.ImageFiles;

/**
 * Decodes uploaded image bytes with {@link ImageFiles#decode(byte[], int, String, long)}'s strict checks (format
 * sniffed from the bytes, a pixel limit checked from the header before decoding, truncated data refused) and
 * turns its errors into 422 answers.
 */
final class ImageDecoder {
    private final int channels;
    private final long maxPixels;
    private final String limitNote;

    /**
     * @param maxPixels largest image decoded
     * @param limitNote appended to the message refusing an image over {@code maxPixels} (where the limit comes from)
     */
    ImageDecoder(int channels, long maxPixels, String limitNote) {
        this.channels = channels;
        this.maxPixels = maxPixels;
        this.limitNote = limitNote;
    }

    /**
     * Decodes {@code bytes} to an {@link Image} with the model's channel count.
     *
     * @throws ApiException 422 naming the problem: not an image, a format without a reader, too many pixels,
     *     truncated or corrupt data
     */
    Image decode(byte[] bytes) {
        try {
            return ImageFiles.decode(bytes, channels, "upload (" + bytes.length + " bytes" + sniff(bytes) + ")",
                    maxPixels);
        } catch (ImageFiles.TooManyPixelsException e) {
            throw new ApiException(422, e.getMessage() + limitNote);
        } catch (DataException e) {
            throw new ApiException(422, e.getMessage());
        }
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
