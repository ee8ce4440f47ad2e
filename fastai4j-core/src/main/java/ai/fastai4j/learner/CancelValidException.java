package ai.fastai4j.learner;

/** Thrown by a callback to skip the rest of the current validate; {@code afterCancelValidate} then runs. */
public final class CancelValidException extends CancelException {
    private static final long serialVersionUID = 1L;

    public CancelValidException() {
        super("cancel validate");
    }

    public CancelValidException(String reason) {
        super(reason);
    }
}
