package ai.fastai4j.learner;

/** Thrown by a callback to skip the rest of the current batch; {@code afterCancelBatch} then runs. */
public final class CancelBatchException extends CancelException {
    private static final long serialVersionUID = 1L;

    public CancelBatchException() {
        super("cancel batch");
    }

    public CancelBatchException(String reason) {
        super(reason);
    }
}
