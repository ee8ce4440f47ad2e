package ai.fastai4j.cli;

/** A model file that is missing or cannot be read; the command exits with code 4. */
final class ModelFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ModelFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
