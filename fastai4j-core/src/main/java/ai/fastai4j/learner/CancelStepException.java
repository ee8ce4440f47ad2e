package ai.fastai4j.learner;

/** Thrown by a callback to skip the rest of the current step; {@code afterCancelStep} then runs. */
public final class CancelStepException extends CancelException {
    private static final long serialVersionUID = 1L;

    public CancelStepException() {
        super("cancel step");
    }

    public CancelStepException(String reason) {
        super(reason);
    }
}
