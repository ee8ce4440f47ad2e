package ai.fastai4j.learner;

/** Stops training with a clear message as soon as the training loss is NaN or infinite. */
public final class TerminateOnNaNCallback implements Callback {
    private String message;

    @Override
    public void beforeFit(Learner learn) {
        message = null;
    }

    @Override
    public void afterBatch(Learner learn) {
        // lossGrad is null when this batch computed no loss (cancelled before it): loss() then is stale
        if (learn.isTraining() && learn.lossGrad() != null
                && (Double.isNaN(learn.loss()) || Double.isInfinite(learn.loss()))) {
            String why = "training loss is " + learn.loss() + " at epoch " + learn.epoch() + ", batch " + learn.iter()
                    + ": training stopped (lower the learning rate, or check the inputs for NaN values)";
            if (!learn.hasCallback(LRFinder.class)) { // the learning rate finder ends this way: not a failure
                message = why;
                System.err.println(why);
            }
            throw new CancelFitException(why);
        }
    }

    /** Why the last fit was stopped, or null if it was not (a learning rate finder's run does not count). */
    public String message() {
        return message;
    }
}
