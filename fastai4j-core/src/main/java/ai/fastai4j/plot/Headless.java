package ai.fastai4j.plot;

import java.awt.image.RenderedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import javax.imageio.ImageIO;

/** Package-private helpers shared by the plot classes: headless AWT and PNG writing. */
final class Headless {

    private Headless() {}

    /** Sets {@code java.awt.headless=true} unless the user chose a value already. */
    static void ensure() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** Writes {@code image} as PNG to {@code out}, creating parent folders; returns {@code out}. */
    static Path writePng(RenderedImage image, Path out) {
        Objects.requireNonNull(out, "out");
        try {
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (!ImageIO.write(image, "png", out.toFile())) {
                throw new IOException("no PNG writer available");
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write PNG " + out, e);
        }
    }
}
