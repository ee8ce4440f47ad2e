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
import javax.imageio.ImageIO;

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

    /** Decodes an image file to grey (1) or RGB (3) channels; a clear error names a corrupt or non-image file. */
    public static Image read(Path file, int channels) {
        try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file))) {
            return decode(in, channels, file.toString());
        } catch (IOException e) {
            throw new DataException("cannot read image " + file + ": " + e.getMessage(), e);
        }
    }

    /** Decodes encoded image bytes (JPEG, PNG, ...); {@code source} names them in errors. */
    public static Image decode(byte[] encoded, int channels, String source) {
        try {
            return decode(new java.io.ByteArrayInputStream(encoded), channels, source);
        } catch (IOException e) {
            throw new DataException("cannot decode image " + source + ": " + e.getMessage(), e);
        }
    }

    private static Image decode(InputStream in, int channels, String source) throws IOException {
        java.awt.image.BufferedImage img;
        try {
            img = ImageIO.read(in);
        } catch (IOException | RuntimeException e) {
            throw new DataException("corrupt image " + source + ": " + e.getMessage(), e);
        }
        if (img == null) {
            throw new DataException(source + " is not an image in a known format (JPEG, PNG, BMP, GIF)");
        }
        return Image.fromBufferedImage(img, channels);
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
