package ai.fastai4j.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.fastai4j.data.DataException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Strict decoding, as PIL does it: truncated files and oversized images are refused with the file named. */
class ImageFilesDecodeTest {
    @TempDir
    Path dir;

    private static byte[] jpeg(int w, int h) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(0xC0FFEEL);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt(0xFFFFFF));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "jpg", out);
        return out.toByteArray();
    }

    @Test
    void aWholeJpegDecodes() throws Exception {
        Path f = Files.write(dir.resolve("ok.jpg"), jpeg(40, 30));
        Image img = ImageFiles.read(f, 3);
        assertEquals(30, img.height());
        assertEquals(40, img.width());
    }

    @Test
    void aTruncatedJpegIsRefusedWithItsName() throws Exception {
        byte[] whole = jpeg(64, 64);
        Path f = Files.write(dir.resolve("cut.jpg"), Arrays.copyOf(whole, whole.length / 2));
        DataException e = assertThrows(DataException.class, () -> ImageFiles.read(f, 3));
        assertTrue(e.getMessage().contains("cut.jpg") && e.getMessage().contains("truncated or corrupt"),
                e.getMessage());
    }

    @Test
    void tooManyPixelsAreRefusedBeforeDecoding() throws Exception {
        DataException e = assertThrows(DataException.class,
                () -> ImageFiles.decode(jpeg(40, 30), 3, "big.jpg", 1000));
        assertTrue(e.getMessage().contains("big.jpg") && e.getMessage().contains("40x30"), e.getMessage());
        assertEquals(1200, ImageFiles.decode(jpeg(40, 30), 1, "fits.jpg", 1200).pixels().length);
    }

    @Test
    void textIsNotAnImage() {
        DataException e = assertThrows(DataException.class,
                () -> ImageFiles.decode("hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 3, "note.txt"));
        assertTrue(e.getMessage().contains("note.txt is not an image"), e.getMessage());
    }
}
