package ai.fastai4j.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class ImageTest {
    @Test
    void colourRoundTripKeepsChannelOrder() {
        BufferedImage b = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        b.setRGB(0, 0, 0xFF0000);
        b.setRGB(1, 0, 0x0000FF);
        Image img = Image.fromBufferedImage(b, 3);
        assertArrayEquals(new byte[] {(byte) 255, 0, 0, 0, 0, (byte) 255}, img.pixels());
        BufferedImage back = img.toBufferedImage();
        assertEquals(0xFF0000, back.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0x0000FF, back.getRGB(1, 0) & 0xFFFFFF);
    }

    @Test
    void greyUsesLuma() {
        BufferedImage b = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        b.setRGB(0, 0, 0x64C832); // r 100, g 200, b 50
        Image g = Image.fromBufferedImage(b, 1);
        assertEquals(Math.round((100 * 299 + 200 * 587 + 50 * 114) / 1000.0), g.pixels()[0] & 0xff);
    }
}
