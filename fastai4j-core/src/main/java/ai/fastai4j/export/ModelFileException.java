package ai.fastai4j.export;

import java.nio.file.Path;

/**
 * A model file cannot be read: it is truncated, corrupted, tampered with, written by a newer fastai4j, or it
 * names something this installation does not know. The message names the file.
 */
public class ModelFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public ModelFileException(Path file, String message) {
        super("model file " + file + ": " + message);
        this.file = file;
    }

    public ModelFileException(Path file, String message, Throwable cause) {
        super("model file " + file + ": " + message, cause);
        this.file = file;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }
}
