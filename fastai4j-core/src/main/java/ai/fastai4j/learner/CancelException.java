package ai.fastai4j.learner;

/**
 * Thrown by a callback to cancel a stage of training, like fastai's {@code Cancel*Exception}s; each subclass
 * cancels one stage, after which the matching {@code afterCancel*} and {@code after*} events run.
 */
public abstract sealed class CancelException extends RuntimeException
        permits CancelBatchException, CancelTrainException, CancelValidException, CancelEpochException,
        CancelFitException, CancelStepException, CancelBackwardException {
    private static final long serialVersionUID = 1L;

    protected CancelException(String message) {
        super(message, null, false, false);
    }
}
