package ai.fastai4j.learner;

/** Thrown by a callback to skip the rest of the current fit; {@code afterCancelFit} then runs. */
public non-sealed class CancelFitException extends CancelException {
    private static final long serialVersionUID = 1L;

    public CancelFitException() {
        super("cancel fit");
    }

    public CancelFitException(String reason) {
        super(reason);
    }
}
