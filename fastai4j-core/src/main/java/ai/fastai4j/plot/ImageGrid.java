package ai.fastai4j.plot;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Draws images in a titled grid and writes it as PNG; used by {@code showBatch}, top-losses
 * views and augmentation previews. Also converts raw pixel arrays to {@link BufferedImage}s.
 *
 * <p>Each image is scaled to fit a {@code cellSize x cellSize} square, keeping its aspect ratio,
 * centred horizontally and aligned to the top of the square (just under its title). Upscaling by 2x or more uses nearest-neighbour (crisp pixels for 28x28
 * digits); other scaling is bilinear, with progressive halving for large downscales. Titles
 * (which may contain {@code '\n'}) are drawn centred above each cell in black on white; lines
 * too wide for the cell are shortened with "...". Works headless.
 */
public final class ImageGrid {

    static {
        Headless.ensure();
    }

    /** Margin around the grid and gap between cells, in pixels. */
    static final int PAD = 10;

    private ImageGrid() {}

    /**
     * Renders {@code images} in a grid and writes it as PNG.
     *
     * @param images images to show (grey, colour or with alpha), at least one
     * @param titles one title per image (entries may be null, may contain {@code '\n'}); the
     *     whole list may be null for no titles
     * @param cols number of columns (&gt; 0); rows follow from the image count
     * @param cellSize side of the square each image is fitted into, in pixels (&gt; 0)
     * @param out PNG file to write; parent folders are created
     * @return {@code out}
     */
    public static Path write(List<BufferedImage> images, List<String> titles, int cols, int cellSize, Path out) {
        return Headless.writePng(render(images, titles, null, cols, cellSize), out);
    }

    /**
     * Like {@link #write(List, List, int, int, Path)}, with each title drawn in its own colour (fastai's
     * {@code show_results} draws a prediction green when right and red when wrong).
     *
     * @param titleColors one colour per title (null entries, or a null list, mean black)
     */
    public static Path write(List<BufferedImage> images, List<String> titles, List<Color> titleColors, int cols,
            int cellSize, Path out) {
        return Headless.writePng(render(images, titles, titleColors, cols, cellSize), out);
    }

    /**
     * Renders the grid described in {@link #write} into an RGB image without writing it.
     *
     * @param images images to show, at least one
     * @param titles one title per image, or null
     * @param cols number of columns (&gt; 0)
     * @param cellSize side of each image square in pixels (&gt; 0)
     * @return the grid image
     */
    public static BufferedImage render(List<BufferedImage> images, List<String> titles, int cols, int cellSize) {
        return render(images, titles, null, cols, cellSize);
    }

    /**
     * Renders the grid with a colour per title.
     *
     * @param titleColors one colour per title (null entries, or a null list, mean black)
     */
    public static BufferedImage render(List<BufferedImage> images, List<String> titles, List<Color> titleColors,
            int cols, int cellSize) {
        Layout l = layout(images, titles, cols, cellSize);
        BufferedImage canvas = new BufferedImage(l.width(), l.height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, l.width(), l.height());
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
            Font font = titleFont(cellSize);
            g.setFont(font);
            FontMetrics fm = g.getFontMetrics();
            for (int i = 0; i < images.size(); i++) {
                BufferedImage img = Objects.requireNonNull(images.get(i), "images[" + i + "]");
                int cx = l.cellX(i);
                int cy = l.cellY(i);
                drawFitted(g, img, cx, cy, cellSize);
                String title = titles == null || i >= titles.size() ? null : titles.get(i);
                if (title != null && !title.isEmpty()) {
                    Color c = titleColors == null || i >= titleColors.size() ? null : titleColors.get(i);
                    g.setColor(c == null ? Color.BLACK : c);
                    String[] lines = title.split("\n", -1);
                    int y0 = cy - 2 - lines.length * fm.getHeight(); // bottom-aligned in the title band
                    for (int k = 0; k < lines.length; k++) {
                        String s = ellipsize(lines[k], fm, cellSize);
                        int sw = fm.stringWidth(s);
                        g.drawString(s, cx + (cellSize - sw) / 2, y0 + k * fm.getHeight() + fm.getAscent());
                    }
                }
            }
        } finally {
            g.dispose();
        }
        return canvas;
    }

    /** Grid geometry; {@code cellX/cellY} give the top-left corner of an image's square. */
    record Layout(int cols, int rows, int cellSize, int titleHeight, int width, int height) {
        int cellX(int i) {
            return PAD + (i % cols) * (cellSize + PAD);
        }

        int cellY(int i) {
            return PAD + (i / cols) * (titleHeight + cellSize + PAD) + titleHeight;
        }
    }

    static Layout layout(List<BufferedImage> images, List<String> titles, int cols, int cellSize) {
        Objects.requireNonNull(images, "images");
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images to draw");
        }
        if (cols <= 0 || cellSize <= 0) {
            throw new IllegalArgumentException("cols and cellSize must be > 0, got " + cols + ", " + cellSize);
        }
        int n = images.size();
        int c = Math.min(cols, n);
        int rows = (n + c - 1) / c;
        int maxLines = 0;
        if (titles != null) {
            for (String t : titles) {
                if (t != null && !t.isEmpty()) {
                    maxLines = Math.max(maxLines, t.split("\n", -1).length);
                }
            }
        }
        int titleHeight = 0;
        if (maxLines > 0) {
            BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = scratch.createGraphics();
            FontMetrics fm = g.getFontMetrics(titleFont(cellSize));
            g.dispose();
            titleHeight = maxLines * fm.getHeight() + 4;
        }
        int width = PAD + c * (cellSize + PAD);
        int height = PAD + rows * (titleHeight + cellSize + PAD);
        return new Layout(c, rows, cellSize, titleHeight, width, height);
    }

    private static Font titleFont(int cellSize) {
        return new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(11, Math.min(16, cellSize / 12)));
    }

    private static String ellipsize(String s, FontMetrics fm, int maxWidth) {
        if (fm.stringWidth(s) <= maxWidth) {
            return s;
        }
        String dots = "...";
        int end = s.length();
        while (end > 0 && fm.stringWidth(s.substring(0, end) + dots) > maxWidth) {
            end--;
        }
        return s.substring(0, end) + dots;
    }

    /** Draws {@code img} scaled to fit a {@code size x size} square at (x, y), aspect kept. */
    private static void drawFitted(Graphics2D g, BufferedImage img, int x, int y, int size) {
        int w = img.getWidth();
        int h = img.getHeight();
        double scale = Math.min(size / (double) w, size / (double) h);
        int dw = Math.max(1, (int) Math.round(w * scale));
        int dh = Math.max(1, (int) Math.round(h * scale));
        int dx = x + (size - dw) / 2;
        int dy = y;
        BufferedImage src = img;
        Object interp;
        if (scale >= 2.0) {
            interp = RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR;
        } else {
            interp = RenderingHints.VALUE_INTERPOLATION_BILINEAR;
            // progressive halving keeps large downscales from aliasing
            while (src.getWidth() / 2 >= dw && src.getHeight() / 2 >= dh) {
                src = resize(src, src.getWidth() / 2, src.getHeight() / 2);
            }
        }
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, interp);
        g.drawImage(src, dx, dy, dw, dh, Color.WHITE, null);
    }

    private static BufferedImage resize(BufferedImage src, int w, int h) {
        BufferedImage dst = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = dst.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(src, 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        return dst;
    }

    /**
     * Wraps interleaved 8-bit pixels ({@code [height][width][channels]}, row-major) as an image.
     *
     * @param pixels {@code height * width * channels} bytes, read as unsigned 0..255
     * @param height image height
     * @param width image width
     * @param channels 1 (grey) or 3 (RGB)
     * @return a {@code TYPE_BYTE_GRAY} or {@code TYPE_INT_RGB} image (pixels are copied)
     */
    public static BufferedImage fromHwc(byte[] pixels, int height, int width, int channels) {
        Objects.requireNonNull(pixels, "pixels");
        checkShape(pixels.length, channels, height, width);
        if (channels == 1) {
            BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
            byte[] data = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
            System.arraycopy(pixels, 0, data, 0, width * height);
            return img;
        }
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] rgb = new int[width * height];
        for (int p = 0, i = 0; p < rgb.length; p++, i += 3) {
            rgb[p] = (pixels[i] & 0xff) << 16 | (pixels[i + 1] & 0xff) << 8 | (pixels[i + 2] & 0xff);
        }
        img.setRGB(0, 0, width, height, rgb, 0, width);
        return img;
    }

    /**
     * Converts planar float pixels ({@code [channels][height][width]}, values in [0, 1]) to an
     * image; values outside [0, 1] are clamped and NaN becomes 0.
     *
     * @param pixels {@code channels * height * width} floats
     * @param channels 1 (grey) or 3 (RGB)
     * @param height image height
     * @param width image width
     * @return a {@code TYPE_BYTE_GRAY} or {@code TYPE_INT_RGB} image
     */
    public static BufferedImage fromChwFloat(float[] pixels, int channels, int height, int width) {
        Objects.requireNonNull(pixels, "pixels");
        checkShape(pixels.length, channels, height, width);
        int plane = height * width;
        if (channels == 1) {
            BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
            byte[] data = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
            for (int p = 0; p < plane; p++) {
                data[p] = (byte) toByte(pixels[p]);
            }
            return img;
        }
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] rgb = new int[plane];
        for (int p = 0; p < plane; p++) {
            rgb[p] = toByte(pixels[p]) << 16 | toByte(pixels[plane + p]) << 8 | toByte(pixels[2 * plane + p]);
        }
        img.setRGB(0, 0, width, height, rgb, 0, width);
        return img;
    }

    private static int toByte(float v) {
        if (!(v > 0)) {
            return 0; // also NaN
        }
        if (v >= 1) {
            return 255;
        }
        return Math.round(v * 255f);
    }

    private static void checkShape(int length, int channels, int height, int width) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("height and width must be > 0, got " + height + "x" + width);
        }
        long expected = (long) channels * height * width;
        if (length != expected) {
            throw new IllegalArgumentException(
                    "expected " + expected + " values for " + channels + "x" + height + "x" + width + ", got " + length);
        }
    }
}
