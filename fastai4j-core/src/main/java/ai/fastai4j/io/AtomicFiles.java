package ai.fastai4j.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Files that appear whole or not at all: the content goes to a temporary file in the target's folder (so the
 * final move stays on one file system), which is then moved over the target atomically. If writing fails, the
 * temporary file is deleted and a previous target is left as it was.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes what produces the content of a file. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Fills a temporary file (given by path, e.g. for tools that open files themselves). */
    @FunctionalInterface
    public interface FileContent {
        void writeTo(Path temporary) throws IOException;
    }

    /** Writes {@code target} (its folders created) from {@code content}, replacing it only once complete. */
    public static Path write(Path target, Content content) throws IOException {
        return writeFile(target, tmp -> {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                content.writeTo(out);
            }
        });
    }

    /** Writes {@code bytes} to {@code target}, replacing it only once complete. */
    public static Path write(Path target, byte[] bytes) throws IOException {
        return write(target, out -> out.write(bytes));
    }

    /**
     * Lets {@code content} fill a fresh temporary file next to {@code target}, then moves it over {@code target}.
     * Returns {@code target}.
     */
    public static Path writeFile(Path target, FileContent content) throws IOException {
        Path tmp = temporarySibling(target, ".part");
        try {
            content.writeTo(tmp);
            moveIntoPlace(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }

    /** A new empty hidden file in {@code target}'s folder (created if needed), named after {@code target}. */
    public static Path temporarySibling(Path target, String suffix) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        return Files.createTempFile(dir, "." + target.getFileName() + ".", suffix);
    }

    /**
     * Moves {@code source} over {@code target} atomically, replacing it; where the file system cannot move
     * atomically, a plain replacing move.
     */
    public static void moveIntoPlace(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
