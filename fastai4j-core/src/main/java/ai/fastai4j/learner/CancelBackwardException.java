package ai.fastai4j.learner;

/** Thrown by a callback to skip the rest of the current backward; {@code afterCancelBackward} then runs. */
public final class CancelBackwardException extends CancelException {
    private static final long serialVersionUID = 1L;

    public CancelBackwardException() {
        super("cancel backward");
    }

    public CancelBackwardException(String reason) {
        super(reason);
    }
}
