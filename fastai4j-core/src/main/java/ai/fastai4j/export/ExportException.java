package ai.fastai4j.export;

/**
 * A learner cannot be exported: something in it (a block, a transform, the loss, the model) has no registered
 * description, or its description does not rebuild it. Thrown before anything is written.
 */
public class ExportException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ExportException(String message) {
        super(message);
    }

    public ExportException(String message, Throwable cause) {
        super(message, cause);
    }
}
