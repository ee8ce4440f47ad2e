package ai.fastai4j.vision;

import ai.fastai4j.data.DataException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import java.awt.image.BufferedImage;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/** Finding, reading and checking image files (fastai's get_image_files, PILImage.create, verify_images). */
public final class ImageFiles {
    /** File extensions treated as images. */
    public static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "gif", "wbmp");

    static {
        ImageIO.setUseCache(false);
    }

    private ImageFiles() {}

    /** Every image file under {@code folder}, sorted by path so that runs repeat. */
    public static List<Path> recursive(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new DataException("image folder " + folder + " does not exist or is not a folder");
        }
        try (Stream<Path> s = Files.walk(folder)) {
            return s.filter(Files::isRegularFile).filter(ImageFiles::isImage).sorted().toList();
        } catch (IOException e) {
            throw new DataException("cannot list " + folder + ": " + e.getMessage(), e);
        }
    }

    /** Whether the file name has an image extension. */
    public static boolean isImage(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** An image refused for its size, read from its header before decoding. */
    public static final class TooManyPixelsException extends DataException {
        private static final long serialVersionUID = 1L;

        TooManyPixelsException(String message) {
            super(message);
        }
    }

    /** The formats this JVM decodes (its ImageIO readers), upper case and sorted: what error messages list. */
    public static final List<String> DECODED_FORMATS = decodedFormats();

    private static List<String> decodedFormats() {
        java.util.TreeSet<String> names = new java.util.TreeSet<>();
        for (String mime : ImageIO.getReaderMIMETypes()) {
            java.util.Iterator<ImageReader> it = ImageIO.getImageReadersByMIMEType(mime);
            while (it.hasNext()) {
                javax.imageio.spi.ImageReaderSpi spi = it.next().getOriginatingProvider();
                if (spi != null) { // the longest of a format's names: JPEG for jpg, TIFF for tif
                    names.add(java.util.Arrays.stream(spi.getFormatNames()).max(java.util.Comparator.comparingInt(
                            String::length)).orElseThrow().toUpperCase(Locale.ROOT));
                }
            }
        }
        return List.copyOf(names);
    }

    /** Images larger than this many pixels are refused before decoding (fastai/PIL's decompression-bomb guard). */
    public static final long DEFAULT_MAX_PIXELS = 178_956_970L;

    /** Decodes an image file to grey (1) or RGB (3) channels; a clear error names a corrupt or non-image file. */
    public static Image read(Path file, int channels) {
        try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file))) {
            return decode(in, channels, file.toString(), DEFAULT_MAX_PIXELS);
        } catch (IOException e) {
            throw new DataException("cannot read image " + file + ": " + e.getMessage(), e);
        }
    }

    /** Decodes encoded image bytes (JPEG, PNG, ...); {@code source} names them in errors. */
    public static Image decode(byte[] encoded, int channels, String source) {
        return decode(encoded, channels, source, DEFAULT_MAX_PIXELS);
    }

    /**
     * Decodes encoded image bytes strictly: the format is sniffed from the bytes, the size read from the header
     * and checked against {@code maxPixels} before any pixel is decoded, and a decoder warning fails the image
     * (Java's JPEG reader only warns about a truncated file and fills the rest with grey, where PIL, and so
     * fastai, refuses it).
     *
     * @throws DataException naming {@code source} and the problem: not an image, too many pixels, truncated or
     *     corrupt data
     */
    public static Image decode(byte[] encoded, int channels, String source, long maxPixels) {
        try {
            return decode(new java.io.ByteArrayInputStream(encoded), channels, source, maxPixels);
        } catch (IOException e) {
            throw new DataException("cannot decode image " + source + ": " + e.getMessage(), e);
        }
    }

    private static Image decode(InputStream input, int channels, String source, long maxPixels) throws IOException {
        return Image.fromBufferedImage(decodeBuffered(input, source, maxPixels), channels);
    }

    /**
     * Reads an image file as Java2D decoded it (a palette PNG keeps its indices), with the strict checks of
     * {@link #decode(byte[], int, String, long)}; for segmentation masks.
     */
    static BufferedImage readBuffered(Path file) {
        try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file))) {
            return decodeBuffered(in, file.toString(), DEFAULT_MAX_PIXELS);
        } catch (IOException e) {
            throw new DataException("cannot read image " + file + ": " + e.getMessage(), e);
        }
    }

    /** As {@link #readBuffered(Path)} for encoded bytes. */
    static BufferedImage decodeBuffered(byte[] encoded, String source) {
        try {
            return decodeBuffered(new java.io.ByteArrayInputStream(encoded), source, DEFAULT_MAX_PIXELS);
        } catch (IOException e) {
            throw new DataException("cannot decode image " + source + ": " + e.getMessage(), e);
        }
    }

    private static BufferedImage decodeBuffered(InputStream input, String source, long maxPixels)
            throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(input)) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new DataException(source + " is not an image in a format this reader decodes ("
                        + String.join(", ", DECODED_FORMATS) + ")");
            }
            ImageReader reader = readers.next();
            String format = formatName(reader);
            try {
                reader.setInput(in, true, true);
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((r, warning) -> warnings.add(warning));
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w <= 0 || h <= 0) {
                    throw new DataException(source + ": the " + format + " image declares a size of " + w + "x" + h
                            + " pixels");
                }
                if ((long) w * h > maxPixels) {
                    throw new TooManyPixelsException(String.format(Locale.ROOT, "%s: the %s image is %dx%d pixels (%.1f"
                            + " megapixels), more than the limit of %.1f megapixels", source, format, w, h,
                            w * (double) h / 1e6, maxPixels / 1e6));
                }
                BufferedImage img = reader.read(0);
                if (!warnings.isEmpty()) {
                    throw new DataException("truncated or corrupt " + format + " image " + source + ": "
                            + String.join("; ", warnings));
                }
                return img;
            } finally {
                reader.dispose();
            }
        } catch (DataException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // decoders throw all sorts on hostile input (EOF, index out of bounds, negative sizes...)
            throw new DataException("truncated or corrupt image " + source + ": " + causes(e), e);
        }
    }

    private static String formatName(ImageReader r) {
        try {
            return r.getFormatName().toUpperCase(Locale.ROOT);
        } catch (IOException e) {
            return "image";
        }
    }

    private static String causes(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < 300; t = t.getCause() == t ? null : t.getCause()) {
            if (sb.length() > 0) {
                sb.append(": ");
            }
            sb.append(t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage());
        }
        return sb.toString();
    }

    /** The files among {@code files} that cannot be decoded, with the reason (fastai's verify_images). */
    public static List<String> verify(List<Path> files) {
        List<String> bad = new ArrayList<>();
        for (Path f : files) {
            try {
                read(f, 3);
            } catch (DataException e) {
                bad.add(e.getMessage());
            }
        }
        return bad;
    }
}
