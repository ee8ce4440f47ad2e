package ai.fastai4j.learner;

/** Thrown by a callback to skip the rest of the current epoch; {@code afterCancelEpoch} then runs. */
public final class CancelEpochException extends CancelException {
    private static final long serialVersionUID = 1L;

    public CancelEpochException() {
        super("cancel epoch");
    }

    public CancelEpochException(String reason) {
        super(reason);
    }
}
