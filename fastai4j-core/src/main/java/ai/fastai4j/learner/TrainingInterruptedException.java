package ai.fastai4j.learner;

/**
 * Training (or prediction) stopped because the process is shutting down: Ctrl-C, SIGTERM, or {@code System.exit}
 * from another thread (see {@link ShutdownGuard}). Thrown out of {@code fit}, {@code lrFind} and
 * {@code getPreds} after the running batch finished; a {@link CheckpointCallback} writes its checkpoint in
 * {@code afterCancelFit} before this leaves {@code fit}.
 */
public final class TrainingInterruptedException extends CancelFitException {
    private static final long serialVersionUID = 1L;

    public TrainingInterruptedException(String message) {
        super(message);
    }
}
