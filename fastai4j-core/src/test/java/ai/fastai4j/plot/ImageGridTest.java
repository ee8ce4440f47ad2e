package ai.fastai4j.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageGridTest {

    @TempDir
    Path dir;

    private static BufferedImage solid(int w, int h, Color c) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(c);
        g.fillRect(0, 0, w, h);
        g.dispose();
        return img;
    }

    @Test
    void fiveImagesInThreeColumnsMakeTwoRows() throws IOException {
        int cell = 64;
        List<BufferedImage> imgs = new ArrayList<>();
        // first image: red with a blue top-left quadrant (28x28 like MNIST -> nearest-neighbour)
        BufferedImage first = solid(28, 28, Color.RED);
        for (int y = 0; y < 14; y++) {
            for (int x = 0; x < 14; x++) {
                first.setRGB(x, y, Color.BLUE.getRGB());
            }
        }
        imgs.add(first);
        byte[] grey = new byte[28 * 28];
        Arrays.fill(grey, (byte) 128);
        imgs.add(ImageGrid.fromHwc(grey, 28, 28, 1));
        imgs.add(solid(40, 20, Color.GREEN));
        imgs.add(solid(20, 40, Color.ORANGE));
        imgs.add(solid(300, 300, Color.MAGENTA));
        List<String> titles = Arrays.asList("seven\n0.98", null, "three", "four", "five / 2.31 / 0.12");

        Path out = ImageGrid.write(imgs, titles, 3, cell, dir.resolve("grid/show_batch.png"));
        BufferedImage img = PlotsTest.readPng(out);
        ImageGrid.Layout l = ImageGrid.layout(imgs, titles, 3, cell);
        assertEquals(3, l.cols());
        assertEquals(2, l.rows());
        assertEquals(l.width(), img.getWidth());
        assertEquals(l.height(), img.getHeight());
        assertEquals(ImageGrid.PAD + 3 * (cell + ImageGrid.PAD), img.getWidth());
        assertEquals(ImageGrid.PAD + 2 * (l.titleHeight() + cell + ImageGrid.PAD), img.getHeight());

        int x0 = l.cellX(0);
        int y0 = l.cellY(0);
        assertEquals(Color.BLUE.getRGB(), img.getRGB(x0 + 5, y0 + 5));
        assertEquals(Color.RED.getRGB(), img.getRGB(x0 + 3 * cell / 4, y0 + 3 * cell / 4));
        assertEquals(Color.RED.getRGB(), img.getRGB(x0 + 3 * cell / 4, y0 + cell / 4));
        // grey image keeps its grey level
        assertEquals(new Color(128, 128, 128).getRGB(), img.getRGB(l.cellX(1) + cell / 2, l.cellY(1) + cell / 2));
        // 40x20 image fills the cell width, top-aligned: top green, bottom of the cell white background
        assertEquals(Color.GREEN.getRGB(), img.getRGB(l.cellX(2) + cell / 2, l.cellY(2) + 2));
        assertEquals(Color.WHITE.getRGB(), img.getRGB(l.cellX(2) + cell / 2, l.cellY(2) + cell - 2));
        // 20x40 image is centred horizontally: left edge of its cell is white
        assertEquals(Color.WHITE.getRGB(), img.getRGB(l.cellX(3) + 2, l.cellY(3) + cell / 2));
        // second row holds the 4th image, third cell of row 2 is empty (white)
        assertEquals(Color.ORANGE.getRGB(), img.getRGB(l.cellX(3) + cell / 2, l.cellY(3) + cell / 2));
        assertEquals(Color.WHITE.getRGB(), img.getRGB(l.cellX(2) + cell / 2, l.cellY(3) + cell / 2));
    }

    @Test
    void noTitlesAndFewerImagesThanColumns() {
        BufferedImage img = ImageGrid.render(List.of(solid(10, 10, Color.BLACK), solid(10, 10, Color.BLACK)), null, 8, 32);
        assertEquals(ImageGrid.PAD + 2 * (32 + ImageGrid.PAD), img.getWidth());
        assertEquals(ImageGrid.PAD + 32 + ImageGrid.PAD, img.getHeight());
    }

    @Test
    void fromHwcColourAndGrey() {
        byte[] rgb = {(byte) 255, 0, 0, 0, (byte) 200, 0, 0, 0, (byte) 255, 10, 20, 30};
        BufferedImage c = ImageGrid.fromHwc(rgb, 2, 2, 3);
        assertEquals(0xff0000, c.getRGB(0, 0) & 0xffffff);
        assertEquals(0x00c800, c.getRGB(1, 0) & 0xffffff);
        assertEquals(0x0000ff, c.getRGB(0, 1) & 0xffffff);
        assertEquals(0x0a141e, c.getRGB(1, 1) & 0xffffff);
        BufferedImage g = ImageGrid.fromHwc(new byte[] {0, (byte) 255, 0, 0, 0, 0}, 2, 3, 1);
        assertEquals(3, g.getWidth());
        assertEquals(2, g.getHeight());
        assertEquals(255, g.getRaster().getSample(1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.fromHwc(new byte[5], 2, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.fromHwc(new byte[8], 2, 2, 2));
    }

    @Test
    void fromChwFloatClamps() {
        // 3 channels, 1x2 image: pixel0 = (1.5 -> 255, 0.5 -> 128, -1 -> 0), pixel1 = (NaN -> 0, 0, 1)
        float[] chw = {1.5f, Float.NaN, 0.5f, 0f, -1f, 1f};
        BufferedImage c = ImageGrid.fromChwFloat(chw, 3, 1, 2);
        assertEquals(0xff8000, c.getRGB(0, 0) & 0xffffff);
        assertEquals(0x0000ff, c.getRGB(1, 0) & 0xffffff);
        BufferedImage g = ImageGrid.fromChwFloat(new float[] {0f, 0.2f, 1f, 2f}, 1, 2, 2);
        assertEquals(51, g.getRaster().getSample(1, 0, 0));
        assertEquals(255, g.getRaster().getSample(1, 1, 0));
    }
}
