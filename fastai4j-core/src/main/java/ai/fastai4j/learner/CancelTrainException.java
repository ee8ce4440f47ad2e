package ai.fastai4j.learner;

/** Thrown by a callback to skip the rest of the current train; {@code afterCancelTrain} then runs. */
public final class CancelTrainException extends CancelException {
    private static final long serialVersionUID = 1L;

    public CancelTrainException() {
        super("cancel train");
    }

    public CancelTrainException(String reason) {
        super(reason);
    }
}
